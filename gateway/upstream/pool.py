"""The connections to one upstream: reused while idle (up to `keepalive`
seconds), at most `max_connections` open, TLS as the policy says.

`Pool.request` is an async context manager around one exchange; leaving it
hands a connection whose response was read to its end back to the idle list
(or to a request waiting for one) and closes any other (a response left
unread, a failure, a cancelled request). A request on a reused
connection that the upstream closed before answering (it had timed the idle
connection out just as we sent, or restarted) is sent again on the next idle
connection or a new one, when its method is idempotent and its body is in
hand; a failure on a new connection is final.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Literal

from multidict import CIMultiDict

from gateway.policy.compiled import CompiledUpstream, Timeouts
from gateway.upstream.connection import Connection, UpstreamResponse
from gateway.upstream.errors import CertificateInvalid, ConnectFailed, ConnectionLost, TlsFailed
from gateway.upstream.request import request_head
from gateway.upstream.target import UpstreamTarget

_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class Pool:
    def __init__(self, upstream: CompiledUpstream) -> None:
        self.upstream = upstream
        self.target = UpstreamTarget.of(upstream)
        self._idle: list[Connection] = []
        self._expiry: dict[Connection, asyncio.TimerHandle] = {}
        self._waiters: deque[asyncio.Future[Connection | None]] = deque()
        self._open = 0
        self._closed = False

    def request(self, method: str, target: str, headers: CIMultiDict[str],
                body: bytes | AsyncIterator[bytes] | None, timeouts: Timeouts) -> Call:
        return Call(self, method, target, headers, body, timeouts)

    async def send(self, method: str, target: str, headers: CIMultiDict[str],
                   body: bytes | AsyncIterator[bytes] | None, timeouts: Timeouts
                   ) -> tuple[Connection, UpstreamResponse]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeouts.total
        head, chunked = request_head(method, self.target.base_path + target,
                                     self.target.host_header, headers, body)
        replayable = method in _IDEMPOTENT and not isinstance(body, AsyncIterator)
        while True:
            conn, reused = await self._acquire(deadline, timeouts.connect)
            try:
                response = await conn.exchange(head, body, chunked, method == "HEAD",
                                               timeouts.read, deadline)
            except ConnectionLost:
                self.release(conn)
                if reused and replayable and not conn.got_bytes:
                    continue  # the next idle one may be stale too; a new one ends it
                raise
            except BaseException:
                self.release(conn)
                raise
            return conn, response

    async def _acquire(self, deadline: float, connect_timeout: float
                       ) -> tuple[Connection, bool]:
        while self._idle:
            conn = self._idle.pop()
            self._expiry.pop(conn).cancel()
            if not conn.closed:
                return conn, True
            self._discard(conn)
        if self._open >= self.upstream.max_connections:
            waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    handed = await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self.release(waiter.result())  # type: ignore[arg-type]
                elif waiter.done() and not waiter.cancelled():
                    self._wake()  # the slot it was given goes to the next in line
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
                raise
            if handed is not None:
                return handed, True
        self._open += 1
        try:
            async with asyncio.timeout_at(min(deadline,
                                              asyncio.get_running_loop().time() + connect_timeout)):
                return await self._connect(), False
        except BaseException:
            self._open -= 1
            self._wake()
            raise

    async def _connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        t = self.target
        try:
            _, conn = await loop.create_connection(
                lambda: Connection(loop), t.host, t.port, ssl=t.ssl,
                server_hostname=t.server_name if t.ssl is not None else None)
        except ssl.SSLCertVerificationError:
            raise CertificateInvalid() from None
        except ssl.SSLError:
            raise TlsFailed() from None
        except OSError:
            raise ConnectFailed() from None
        return conn

    def release(self, conn: Connection) -> None:
        """After an exchange: keep the connection if it can carry another."""
        if not conn.reusable or conn.closed or self._closed:
            self._discard(conn)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)
        self._expiry[conn] = asyncio.get_running_loop().call_later(
            self.upstream.keepalive, self._expire, conn)

    def _expire(self, conn: Connection) -> None:
        if conn in self._expiry:
            del self._expiry[conn]
            self._idle.remove(conn)
            self._discard(conn)

    def _discard(self, conn: Connection) -> None:
        conn.close()
        self._open -= 1
        self._wake()

    def _wake(self) -> None:
        """A slot is free: the first waiter opens a connection of its own."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        self._closed = True
        for conn in self._idle:
            self._expiry.pop(conn).cancel()
            conn.close()
        self._open -= len(self._idle)
        self._idle.clear()


class Call:
    """`async with pool.request(...) as response:` one exchange."""

    __slots__ = ("_args", "_conn", "_pool")

    def __init__(self, pool: Pool, *args: object) -> None:
        self._pool = pool
        self._args = args
        self._conn: Connection | None = None

    async def __aenter__(self) -> UpstreamResponse:
        self._conn, response = await self._pool.send(*self._args)  # type: ignore[arg-type]
        return response

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None
                        ) -> Literal[False]:
        conn, self._conn = self._conn, None
        if conn is not None:  # kept only if its response ended cleanly, whatever happened here
            self._pool.release(conn)
        return False

