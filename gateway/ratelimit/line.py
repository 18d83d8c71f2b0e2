"""A connection of the Redis stores' own for their decision script: one to
one Redis, one to each master of a cluster.

The decisions go to a Redis one exchange at a time (`coalesce.py` keeps one
out per lane), so redis-py's client and pool add per call what buys nothing
here: the pool's lock, a probe of the socket for stray data before every
command, observability hooks, a retry wrapper, and a task for every send
under a socket timeout. A redis-py `Connection` used directly, under one
timer an exchange, costs ~45-55 µs less CPU a call here (`bench/README.md`).
An exchange is several commands in one write (a cluster master's script
calls, one per slot), their replies read in order. The connection is
redis-py's own: it connects (and connects again after an error) with the
pool's or the node's arguments, packs in C (`resp.py`) and parses with
hiredis. On a timeout, an error or a cancellation in the middle of an
exchange it is dropped (a Redis error reply, read whole, keeps it), so a
half-read reply is never taken for the next one. A connection Redis closed
while it sat idle (EOF already read by the loop; no system call to see it)
is replaced before a command is sent, not after the command failed. Calls
that overlap (more than `Coalescer.most` decisions at once) take turns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError


async def _fresh(conn: AbstractConnection) -> None:
    """Drop `conn` if Redis closed it while it sat idle (its `timeout`, a
    restart, a middlebox) or it holds a stray reply: the command then goes on
    a new connection instead of failing."""
    if not conn.is_connected:
        return
    try:
        stale = await conn.can_read()
    except RedisConnectionError:  # closed: redis-py >= 8.2 raises at EOF, and keeps it
        stale = True
    if stale:
        await conn.disconnect(nowait=True)


class Source(Protocol):
    """Where a line's connection arguments come from: a redis-py connection
    pool (one Redis) or a cluster node."""

    @property
    def connection_class(self) -> type[AbstractConnection]: ...

    @property
    def connection_kwargs(self) -> dict[str, Any]: ...


class Line:
    def __init__(self, source: Source, timeout: float) -> None:
        """A connection made with `source`'s class and arguments (outside a
        pool's count); each exchange has `timeout` seconds, sending and
        reading (one timer: redis-py's socket timeout starts a task for every
        send)."""
        self._conn: AbstractConnection = source.connection_class(
            **{**source.connection_kwargs, "socket_timeout": None})
        self._timeout = timeout
        self._turn = asyncio.Lock()

    async def call(self, *args: Any) -> Any:
        """One command's reply; a Redis error reply is raised (redis-py's
        exception classes: `NoScriptError`, `ResponseError`, ...)."""
        (reply,) = await self.calls([args])
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    async def calls(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """Several commands in one write, their replies read in order: a Redis
        error reply is its exception in the list (read whole, the replies
        after it are still read); anything else is raised."""
        async with self._turn:
            conn = self._conn
            try:
                await _fresh(conn)
                packed = [part for command in commands for part in conn.pack_command(*command)]
                async with asyncio.timeout(self._timeout):
                    await conn.send_packed_command(packed, check_health=False)
                    replies: list[Any] = []
                    for _ in commands:
                        try:
                            replies.append(await conn.read_response())
                        except ResponseError as exc:  # read whole: the connection is fine
                            replies.append(exc)
                    return replies
            except BaseException:  # anything else: the next call starts afresh
                await conn.disconnect(nowait=True)
                raise

    async def close(self) -> None:
        await self._conn.disconnect()
