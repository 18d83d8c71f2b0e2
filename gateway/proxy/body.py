"""Reading bodies: buffered with a size cap, or streamed; both under a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from aiohttp import StreamReader

from gateway.errors import BadRequest, BodyTimeout, BodyTooLarge
from gateway.exchange import Exchange

CHUNK = 64 * 1024


class Readable(Protocol):
    """A body as it arrives: aiohttp's StreamReader (requests) or the
    upstream client's BodyStream (responses)."""

    def read_nowait(self) -> bytes: ...
    def at_eof(self) -> bool: ...
    async def readany(self) -> bytes: ...


class TooLarge(Exception):
    """Raised by read_capped; the caller picks the error for its direction."""


async def read_capped(stream: Readable, limit: int, declared: int | None,
                      deadline: float | None = None) -> bytes:
    """Read a whole body, refusing more than `limit` bytes (before reading when
    the declared length already says so). `deadline` is a loop time."""
    if declared is not None and declared > limit:
        raise TooLarge()
    buf = bytearray(stream.read_nowait())  # what has arrived already: often all of it
    while len(buf) <= limit:
        if stream.at_eof():
            return bytes(buf)
        if deadline is None:
            chunk = await stream.readany()
        else:
            async with asyncio.timeout_at(deadline):
                chunk = await stream.readany()
        if not chunk:
            return bytes(buf)
        buf += chunk
    raise TooLarge()


async def read_request_body(stream: StreamReader, ex: Exchange, limit: int,
                            declared: int | None, deadline: float) -> bytes:
    try:
        body = await read_capped(stream, limit, declared, deadline)
    except TooLarge:
        raise BodyTooLarge() from None
    except TimeoutError:
        raise BodyTimeout() from None
    except (OSError, ValueError) as exc:  # client went away or sent a broken chunk
        raise BadRequest() from exc
    ex.bytes_in = len(body)
    return body


async def stream_request_body(stream: StreamReader, ex: Exchange,
                              deadline: float) -> AsyncIterator[bytes]:
    """Yield the request body as it arrives. A client-side failure is recorded
    on the exchange, so the handler reports it as the client's fault (408/400)
    rather than as an upstream failure."""
    try:
        while True:
            async with asyncio.timeout_at(deadline):
                chunk = await stream.readany()
            if not chunk:
                return
            ex.bytes_in += len(chunk)
            yield chunk
    except TimeoutError:
        ex.client_body_error = BodyTimeout()
        raise
    except (OSError, ValueError):
        ex.client_body_error = BadRequest()
        raise
