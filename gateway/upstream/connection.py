"""One keep-alive HTTP/1.1 connection to an upstream: an asyncio protocol that
sends a request and parses its response with llhttp (httptools).

One exchange at a time (no pipelining). Timeouts cost one timer per exchange:
`read` is the longest silence while waiting for the upstream (checked when
the timer fires against the time of the last bytes read, so a read does not
re-arm a timer), `deadline` ends the whole exchange. A connection is reused
only after a complete response to a fully sent request that both sides want
kept alive; after a HEAD request never (httptools cannot be told that a HEAD
response has no body).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import cast

import httptools
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.upstream.body import BodyStream
from gateway.upstream.errors import BadResponse, ConnectionLost, RequestBodyFailed, UpstreamError

_NO_BODY_STATUS = frozenset({204, 304})
# A response head larger than this, or with more header lines, is refused
# (llhttp itself has no limit; aiohttp's client allowed 8190 bytes a line).
MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 256


class UpstreamResponse:
    __slots__ = ("content", "content_length", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: CIMultiDictProxy[str],
                 content: BodyStream) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        length = headers.get("Content-Length")
        self.content_length = int(length) if length is not None and length.isdigit() else None

    async def read(self) -> bytes:
        return await self.content.read()


class Connection(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.reusable = False  # set when a response completes on a connection both keep
        self.got_bytes = False  # any byte of the current exchange's response
        self._active = False  # between sending a request and the end of its response
        self._head: asyncio.Future[UpstreamResponse] | None = None
        self._body: BodyStream | None = None
        self._reason = b""
        self._headers: list[tuple[str, str]] = []
        self._head_bytes = -1  # bytes read while a response head is incomplete; -1: none is
        self._head_size = 0  # the header lines of the current response
        self._informational = False
        self._head_only = False
        self._until_eof = False
        self._sent = False
        self._writer: asyncio.Task[None] | None = None
        self._drain: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout = 0.0
        self._deadline = 0.0
        self._last = 0.0

    # --- the exchange -------------------------------------------------------

    async def exchange(self, head: bytes, body: bytes | AsyncIterator[bytes] | None,
                       chunked: bool, head_only: bool, read_timeout: float,
                       deadline: float) -> UpstreamResponse:
        """Send one request and wait for its response's head (the body follows
        through `UpstreamResponse.content`)."""
        assert self.transport is not None
        self.reusable = self.got_bytes = self._sent = False
        if self.closed:  # lost while it was handed over from another request
            raise ConnectionLost()
        self._active = True
        self._head_bytes = 0
        self._informational = self._until_eof = False
        self._head_only = head_only
        self._writer = None
        self._body = BodyStream(self.transport)
        head_future: asyncio.Future[UpstreamResponse] = self._loop.create_future()
        self._head = head_future
        self._read_timeout, self._deadline = read_timeout, deadline
        self._last = self._loop.time()
        self._timer = self._loop.call_at(min(deadline, self._last + read_timeout), self._on_timer)
        if body is None or isinstance(body, bytes):
            self.transport.write(head + body if body else head)
            self._sent = True
        else:
            self.transport.write(head)
            self._writer = self._loop.create_task(self._write_body(body, chunked))
        return await head_future

    async def _write_body(self, body: AsyncIterator[bytes], chunked: bool) -> None:
        assert self.transport is not None
        try:
            async for chunk in body:
                if not chunk:
                    continue
                if self.transport.is_closing():
                    return
                self.transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                if self._drain is not None:
                    await self._drain
                self._last = self._loop.time()
            if chunked and not self.transport.is_closing():
                self.transport.write(b"0\r\n\r\n")
            self._sent = True
        except asyncio.CancelledError:
            raise
        except Exception:  # the client's body failed: the handler says how (ex.client_body_error)
            self._fail(RequestBodyFailed())

    def _on_timer(self) -> None:
        self._timer = None
        now = self._loop.time()
        if now >= self._deadline:
            self._fail(TimeoutError())
            return
        body = self._body
        if body is not None and body.paused:  # our reader is slow, not the upstream
            self._last = now
        if now - self._last >= self._read_timeout:
            self._fail(TimeoutError())
            return
        self._timer = self._loop.call_at(min(self._deadline, self._last + self._read_timeout),
                                         self._on_timer)

    def _finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fail(self, exc: BaseException) -> None:
        """End the exchange with `exc` and close the connection."""
        self._finish()
        self.reusable = self._active = False
        head = self._head
        if head is not None and not head.done():
            head.set_exception(exc)
        elif self._body is not None:
            self._body.fail(exc)
        self.close()

    def close(self) -> None:
        self.reusable = False
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
        if self.transport is not None and not self.closed:
            self.closed = True
            self.transport.close()

    # --- asyncio.Protocol ----------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._last = self._loop.time()
        self.got_bytes = True
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade):
            self._fail(BadResponse())
            return
        if self._head_bytes >= 0:  # httptools buffers a head in pieces without a limit
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._fail(BadResponse())

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        self.reusable = False
        body = self._body
        if self._until_eof and exc is None and body is not None and not body.complete:
            self._finish()  # a body without a length ends where the connection does
            body.feed_eof()
        else:
            self._fail(ConnectionLost())
        drain = self._drain
        if drain is not None and not drain.done():
            drain.set_result(None)

    def pause_writing(self) -> None:
        if self._drain is None:
            self._drain = self._loop.create_future()

    def resume_writing(self) -> None:
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    # --- httptools callbacks -------------------------------------------------

    def on_message_begin(self) -> None:
        if not self._active:  # bytes nobody asked for: the connection is not to be trusted
            raise BadResponse()
        self._reason = b""
        self._headers = []
        self._head_size = 0

    def on_status(self, reason: bytes) -> None:
        self._reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        # a head that arrived whole in one read is measured here, piece by piece
        self._head_size += len(name) + len(value) + 4
        if len(self._headers) >= MAX_HEADERS or self._head_size > MAX_HEAD_BYTES:
            raise BadResponse()
        self._headers.append((name.decode("utf-8", "surrogateescape"),
                              value.decode("utf-8", "surrogateescape")))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status == 101:  # the gateway never asks for an upgrade (Upgrade is hop-by-hop)
            raise BadResponse()
        if 100 <= status < 200:  # 100 Continue, 103 Early Hints: not forwarded
            self._informational = True
            return
        self._informational = False
        self._head_bytes = -1
        head, body = self._head, self._body
        assert head is not None
        assert body is not None
        headers = CIMultiDictProxy(CIMultiDict(self._headers))
        if self._head_only:
            body.feed_eof()
        elif status not in _NO_BODY_STATUS and "Content-Length" not in headers \
                and "chunked" not in headers.get("Transfer-Encoding", "").lower():
            self._until_eof = True
        if not head.done():
            head.set_result(UpstreamResponse(
                status, self._reason.decode("utf-8", "surrogateescape"), headers, body))
        if self._head_only:
            self._finish()

    def on_body(self, data: bytes) -> None:
        if self._body is not None and not self._head_only:  # a HEAD answer has no body
            self._body.feed(data)

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        self._finish()
        self._active = False
        body = self._body
        if body is not None:
            body.feed_eof()
        self.reusable = (self._sent and not self._head_only and not self._until_eof
                         and self._parser.should_keep_alive())
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()  # answered before the body was sent: not reusable
            self.reusable = False


__all__ = ["Connection", "UpstreamError", "UpstreamResponse"]
