"""The decision script's own connection, on a real redis-server: overlapping
calls take turns, an error reply keeps the connection, a call cancelled
mid-reply or timed out drops it, and a Redis that restarted is reached on
the first call."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

from gateway.ratelimit.line import Line
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.store import Bucket
from tests.redis_processes import RedisProcess


@pytest.fixture
async def line(redis_server: RedisProcess) -> AsyncIterator[Line]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    line = Line(client.connection_pool, timeout=2.0)
    yield line
    await line.close()
    await client.aclose()


async def test_overlapping_calls_each_get_their_own_reply(line: Line) -> None:
    values = [f"v{i}" for i in range(40)]
    assert await asyncio.gather(*(line.call("ECHO", v) for v in values)) == values


async def test_an_error_reply_is_raised_and_the_connection_kept(line: Line) -> None:
    before = await line.call("CLIENT", "ID")
    with pytest.raises(NoScriptError):
        await line.call("EVALSHA", "0" * 40, 0)
    assert await line.call("CLIENT", "ID") == before


async def test_several_commands_in_one_write_each_get_their_reply_or_error(
        line: Line) -> None:
    before = await line.call("CLIENT", "ID")
    replies = await line.calls([("ECHO", "a"), ("EVALSHA", "0" * 40, 0), ("ECHO", "b")])
    assert replies[0] == "a" and isinstance(replies[1], NoScriptError) and replies[2] == "b"
    assert await line.call("CLIENT", "ID") == before  # an error reply keeps the connection


async def test_a_call_cancelled_mid_reply_leaves_no_reply_behind(line: Line) -> None:
    before = await line.call("CLIENT", "ID")
    blocked = asyncio.ensure_future(line.call("BLPOP", "pgw:test:empty", 0.3))
    await asyncio.sleep(0.05)
    blocked.cancel()
    with pytest.raises(asyncio.CancelledError):
        await blocked
    assert await line.call("ECHO", "mine") == "mine"  # not BLPOP's late nil
    assert await line.call("CLIENT", "ID") != before  # a new connection


async def _eof_seen(line: Line) -> bool:
    """The loop has read the line's EOF (redis-py 8.1 answers True, 8.2
    raises)."""
    try:
        return await line._conn.can_read()
    except RedisConnectionError:
        return True


async def test_a_connection_redis_closed_while_idle_is_replaced_before_sending(
        line: Line, redis_server: RedisProcess) -> None:
    """Redis's `timeout`, a restart or a middlebox closed the idle line: the
    next call goes on a new connection rather than fail (a decision that
    fails counts against the breaker, and a sensitive route answers 503)."""
    idle = await line.call("CLIENT", "ID")
    admin = Redis.from_url(redis_server.url)
    try:
        assert await admin.client_kill_filter(_id=idle) == 1
    finally:
        await admin.aclose()
    # the close reaches the loop: the line replaces a connection whose EOF the
    # loop has read (seeing one it has not would take a system call per
    # decision); on a loaded machine that takes more than a fixed 50 ms
    async with asyncio.timeout(5):
        while not await _eof_seen(line):
            await asyncio.sleep(0.01)
    assert await line.call("ECHO", "again") == "again"
    assert await line.call("CLIENT", "ID") != idle


async def test_the_first_decision_after_redis_restarts_is_decided(tmp_path: Path) -> None:
    """The restarted Redis has no scripts and the old connection is dead:
    the decision reconnects, loads the script over its own connection (the
    pool's idle one is stale) and is decided, on the first try."""
    redis = RedisProcess(tmp_path).start()
    store = RedisStore(redis.url, timeout=1.0)
    bucket = Bucket("pgw:rl:{restart}:r", 100.0, 100)
    try:
        assert (await store.decide([bucket], [])).allowed
        redis.stop()
        with pytest.raises(RedisConnectionError):
            await store.decide([bucket], [])
        redis.start()
        assert (await store.decide([bucket], [])).allowed
    finally:
        await store.close()
        redis.stop()


async def test_a_hung_redis_times_the_command_out_and_the_line_recovers(
        tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path).start()
    client = Redis.from_url(redis.url, decode_responses=True)
    line = Line(client.connection_pool, timeout=0.2)
    try:
        assert await line.call("ECHO", "up") == "up"
        assert redis.proc is not None
        redis.proc.send_signal(signal.SIGSTOP)
        began = time.monotonic()
        with pytest.raises(TimeoutError):
            await line.call("ECHO", "hung")
        assert time.monotonic() - began < 0.5
        redis.proc.send_signal(signal.SIGCONT)
        assert await line.call("ECHO", "back") == "back"  # not the hung call's late reply
    finally:
        if redis.proc is not None:
            redis.proc.send_signal(signal.SIGCONT)
        await line.close()
        await client.aclose()
        redis.stop()
