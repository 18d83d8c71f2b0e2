"""One connection of the Redis store's own for its decision script.

The decisions go to Redis one call at a time (`coalesce.py` keeps one call
out per slot), so redis-py's client and pool add per call what buys nothing
here: the pool's lock, a probe of the socket for stray data before every
command, observability hooks, a retry wrapper, and a task for every send
under a socket timeout. A redis-py `Connection` used directly, under one
timer a command, costs ~45-55 µs less CPU a call here (`bench/README.md`).
The connection is redis-py's own: it connects (and connects again after an
error) with the pool's arguments, packs in C (`resp.py`) and parses with
hiredis. On a timeout, an error or a cancellation in the middle of a
command it is dropped (a Redis error reply, read whole, keeps it), so a
half-read reply is never taken for the next one. A connection Redis closed
while it sat idle (EOF already read by the loop; no system call to see it)
is replaced before a command is sent, not after the command failed. Calls
that overlap (more than `Coalescer.most` decisions at once) take turns.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
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
    except RedisConnectionError:  # redis-py has dropped it already
        return
    if stale:
        await conn.disconnect(nowait=True)


class Line:
    def __init__(self, pool: ConnectionPool, timeout: float) -> None:
        """A connection made with `pool`'s class and arguments, outside its
        count; each command has `timeout` seconds, sending and reading (one
        timer: redis-py's socket timeout starts a task for every send)."""
        self._conn: AbstractConnection = pool.connection_class(
            **{**pool.connection_kwargs, "socket_timeout": None})
        self._timeout = timeout
        self._turn = asyncio.Lock()

    async def call(self, *args: Any) -> Any:
        """One command's reply; a Redis error reply is raised (redis-py's
        exception classes: `NoScriptError`, `ResponseError`, ...)."""
        async with self._turn:
            conn = self._conn
            try:
                await _fresh(conn)
                async with asyncio.timeout(self._timeout):
                    await conn.send_packed_command(conn.pack_command(*args), check_health=False)
                    return await conn.read_response()
            except ResponseError:  # a whole reply, read: the connection is fine
                raise
            except BaseException:  # anything else: the next call starts afresh
                await conn.disconnect(nowait=True)
                raise

    async def close(self) -> None:
        await self._conn.disconnect()
