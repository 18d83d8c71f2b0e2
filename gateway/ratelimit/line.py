"""A connection of the Redis stores' own for their decision script: one to
one Redis, one to each master of a cluster.

The decisions go to a Redis in exchanges of several script calls
(`coalesce.py`), so redis-py's client and pool add per call what buys
nothing here: the pool's lock, a probe of the socket for stray data before
every command, observability hooks, a retry wrapper, a task for every send
under a socket timeout, and its reading through an asyncio stream (a read
coroutine and a waiter per reply). The connection is made by redis-py, with
the pool's or the node's arguments (TCP or a Unix socket, TLS, the password,
the database, the client name), and then read by a protocol of ours: what
arrives is fed to a hiredis reader at once and each reply handed to the
caller that has waited longest (Redis answers a connection's commands in
order). An exchange is its commands packed in C (`resp.py`) in one write and
one future per reply, under one timer: 7-15 µs less CPU an exchange than a
redis-py `Connection` under the lock, the probe and the timeout it needed
(`bench/line_bench.py`).

Calls that overlap go out at once, one behind the other on the connection,
and each gets its own replies. A caller that stops waiting (cancelled, or
its timer fired) leaves its futures in line, cancelled: its replies, when
they come, are read and dropped, never handed to the next caller. An
exchange whose timer fires drops the connection (Redis is hung, or the
network): every caller on it fails, and the next call connects again. A
Redis error reply is its exception in the list, read whole, and keeps the
connection; a reply that breaks the protocol drops it. A connection Redis
closed while it sat idle (its `timeout`, a restart, a middlebox: the loop
reads the EOF) is replaced before the next command is sent, not after the
command failed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol

import hiredis
from redis._parsers.base import BaseParser
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, ResponseError

from gateway.ratelimit.coalesce import in_turn
from gateway.ratelimit.resp import pack


class Source(Protocol):
    """Where a line's connection arguments come from: a redis-py connection
    pool (one Redis) or a cluster node."""

    @property
    def connection_class(self) -> type[AbstractConnection]: ...

    @property
    def connection_kwargs(self) -> dict[str, Any]: ...


class _Replies(asyncio.Protocol):
    """One connection's replies, read as they arrive, each to the future
    that has waited longest."""

    def __init__(self, reader: hiredis.Reader, transport: asyncio.Transport,
                 conn: AbstractConnection) -> None:
        self.reader = reader
        self.transport = transport
        self.conn = conn  # redis-py's, which made it: kept (its finalizer closes the socket)
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.lost = False

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        waiting = self.waiting
        try:
            while (reply := self.reader.gets()) is not False:
                future = waiting.popleft()  # IndexError: a reply no one asked for
                if not future.done():
                    future.set_result(reply)
        except (InvalidResponse, IndexError):
            self.drop(RedisConnectionError("Redis answered outside its protocol"))

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.drop(RedisConnectionError("Connection closed by server."))

    def drop(self, exc: BaseException) -> None:
        """Close the connection and fail every caller still waiting on it."""
        if not self.lost:
            self.lost = True
            self.transport.abort()
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(exc)


def _reader_for(conn: AbstractConnection) -> hiredis.Reader:
    """A hiredis reader that answers as redis-py's own parser does: error
    replies as redis-py's exception classes, text decoded as the client's."""
    encoder = conn.encoder
    if encoder.decode_responses:
        return hiredis.Reader(protocolError=InvalidResponse, replyError=BaseParser.parse_error,
                              encoding=encoder.encoding, errors=encoder.encoding_errors)
    return hiredis.Reader(protocolError=InvalidResponse, replyError=BaseParser.parse_error)


class Line:
    def __init__(self, source: Source, timeout: float) -> None:
        """A connection made with `source`'s class and arguments (outside a
        pool's count); each exchange has `timeout` seconds."""
        self._source = source
        self._timeout = timeout
        self._replies: _Replies | None = None
        self._connecting = asyncio.Lock()

    @property
    def connected(self) -> bool:
        """Whether the next call goes on the connection it has (not a new one)."""
        return self._replies is not None and not self._replies.lost

    async def call(self, *args: Any) -> Any:
        """One command's reply; a Redis error reply is raised (redis-py's
        exception classes: `NoScriptError`, `ResponseError`, ...)."""
        (reply,) = await self.calls([args])
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    async def calls(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """Several commands in one write, their replies in order: a Redis
        error reply is its exception in the list (read whole, the replies
        after it are still read); anything else is raised."""
        replies = self._replies
        if replies is None or replies.lost:
            replies = await self._connect()
        data = b"".join([part for command in commands for part in pack(tuple(command))])
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in commands]
        replies.waiting.extend(futures)
        replies.transport.write(data)
        timer = loop.call_later(self._timeout, _expired, replies, futures)
        try:  # a caller that stops waiting leaves its futures in line, cancelled
            return await in_turn(futures)
        finally:
            timer.cancel()

    async def _connect(self) -> _Replies:
        """A new connection (one at a time: calls that find none wait for it)."""
        async with self._connecting:
            old = self._replies
            if old is not None:
                if not old.lost:
                    return old
                await old.conn.disconnect(nowait=True)  # redis-py's side of it
            source = self._source
            conn = source.connection_class(**{**source.connection_kwargs, "socket_timeout": None})
            await conn.connect()  # type: ignore[no-untyped-call]  # the handshake: password, database, client name
            transport = getattr(getattr(conn, "_writer", None), "transport", None)
            if not callable(getattr(transport, "set_protocol", None)):
                # a redis-py that keeps its stream elsewhere: a failure the
                # breaker counts (sensitive routes fail closed), never a 500
                await conn.disconnect(nowait=True)
                raise RedisConnectionError("no stream to read in redis-py's connection")
            replies = _Replies(_reader_for(conn), transport, conn)  # type: ignore[arg-type]
            transport.set_protocol(replies)  # type: ignore[union-attr]
            left = getattr(getattr(conn, "_reader", None), "_buffer", b"")
            if left:  # read past the handshake
                replies.data_received(bytes(left))
            self._replies = replies
            return replies

    async def close(self) -> None:
        replies, self._replies = self._replies, None
        if replies is not None:
            replies.drop(RedisConnectionError("the line is closed"))
            await replies.conn.disconnect(nowait=True)


def _expired(replies: _Replies, futures: list[asyncio.Future[Any]]) -> None:
    """An exchange's time ran out: the connection is dropped (its replies can
    no longer be matched to callers), and every caller on it fails."""
    if not all(future.done() for future in futures):
        replies.drop(TimeoutError())
