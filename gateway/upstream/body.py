"""A response body as it arrives: a buffer with flow control.

The connection feeds it; the handler reads it (the same calls as aiohttp's
StreamReader where the gateway uses them: `read_nowait`, `at_eof`, `readany`,
`read`). Past `HIGH` buffered bytes the connection stops reading from the
socket and resumes once the reader has taken the buffer below `LOW`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Protocol

HIGH = 256 * 1024
LOW = 64 * 1024


class Reading(Protocol):
    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...


class BodyStream:
    __slots__ = ("_chunks", "_eof", "_error", "_flow", "_paused", "_size", "_waiter")

    def __init__(self, flow: Reading) -> None:
        self._flow = flow
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._eof = False
        self._paused = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    # fed by the connection
    def feed(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        if self._size > HIGH and not self._paused:
            self._paused = True
            self._flow.pause_reading()
        self._wake()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()

    def fail(self, exc: BaseException) -> None:
        if not self._eof:
            self._error = exc
            self._eof = True
            self._wake()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def complete(self) -> bool:
        """Ended without an error (what was fed may still be unread)."""
        return self._eof and self._error is None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # read by the handler
    def read_nowait(self) -> bytes:
        """Everything buffered (b"" when nothing is)."""
        if not self._chunks:
            return b""
        data = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        self._chunks.clear()
        self._size = 0
        if self._paused:
            self._paused = False
            self._flow.resume_reading()
        return data

    def at_eof(self) -> bool:
        """Nothing buffered and nothing more to come (raises a failure first)."""
        if self._error is not None and not self._chunks:
            raise self._error
        return self._eof and not self._chunks

    async def readany(self) -> bytes:
        """What has arrived, waiting for some if nothing has; b"" at the end."""
        while not self._chunks:
            if self._eof:
                if self._error is not None:
                    raise self._error
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        data = self._chunks.popleft()
        self._size -= len(data)
        if self._paused and self._size < LOW:
            self._paused = False
            self._flow.resume_reading()
        return data

    async def read(self) -> bytes:
        """The whole body."""
        parts = [self.read_nowait()]
        while chunk := await self.readany():
            parts.append(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)
