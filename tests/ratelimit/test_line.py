"""The decision script's own connection, on a real redis-server: overlapping
calls each get their own replies, an error reply keeps the connection, a
call cancelled mid-reply leaves its reply behind it (read and dropped), a
timed-out one drops the connection, and a Redis that restarted is reached on
the first call."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

from gateway.ratelimit.line import Line
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.store import Bucket
from tests.ports import free_port
from tests.redis_processes import RedisProcess
from tests.tls.pki import Pki


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
    assert await line.call("CLIENT", "ID") == before  # its reply was read and dropped


async def test_calls_cancelled_in_turn_leave_every_later_call_its_own_reply(
        line: Line) -> None:
    """Many calls out at once, every other one cancelled before its reply:
    each remaining caller gets exactly its own reply."""
    assert await line.call("ECHO", "connected") == "connected"
    calls = [asyncio.ensure_future(line.calls([("ECHO", f"a{i}"), ("ECHO", f"b{i}")]))
             for i in range(30)]
    await asyncio.sleep(0)  # all written
    for call in calls[::2]:
        call.cancel()
    for i, call in enumerate(calls):
        if i % 2:
            assert await call == [f"a{i}", f"b{i}"]
    assert await line.call("ECHO", "last") == "last"


async def _eof_seen(line: Line) -> bool:
    """The loop has read the line's EOF."""
    return not line.connected


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


@pytest.mark.parametrize("how", ["tls", "unix"])
async def test_a_line_over_tls_with_a_password_or_a_unix_socket_is_read_by_its_protocol(
        tmp_path: Path, pki: Pki, how: str) -> None:
    """rediss:// (with the client's password, checked by Redis) and unix://
    store URLs: redis-py makes the connection and its handshake, the line
    reads it; decisions and error replies come back as on plain TCP."""
    tls_port, sock = free_port(), tmp_path / "redis.sock"
    redis = RedisProcess(tmp_path, extra=(
        "--tls-port", str(tls_port), "--tls-cert-file", str(pki.path("server")),
        "--tls-key-file", str(pki.path("server", "key")), "--tls-auth-clients", "no",
        "--unixsocket", str(sock))).start()
    admin = Redis.from_url(redis.url)
    await admin.config_set("requirepass", "s3cret")  # after start: its check pings
    await admin.aclose()
    url = (f"rediss://:s3cret@127.0.0.1:{tls_port}/0?ssl_ca_certs={pki.path('ca')}"
           if how == "tls" else f"unix://:s3cret@{sock}?db=0")
    store = RedisStore(url, timeout=1.0)
    try:
        bucket = Bucket("pgw:rl:{tls}:r", 100.0, 2)
        assert [(await store.decide([bucket], [])).allowed for _ in range(3)] == [
            True, True, False]
        line = store._lines[0]
        with pytest.raises(NoScriptError):
            await line.call("EVALSHA", "0" * 40, 0)
        assert await line.call("ECHO", "still") == "still"
    finally:
        await store.close()
        redis.stop()


class _StreamElsewhere:
    """A connection class that connects but keeps no asyncio stream where
    redis-py 8 does (`_writer`): what a future redis-py might do."""

    made: ClassVar[list[_StreamElsewhere]] = []

    def __init__(self, **kwargs: object) -> None:
        self.disconnected = False
        self.made.append(self)

    async def connect(self) -> None:
        pass

    async def disconnect(self, nowait: bool = False) -> None:
        self.disconnected = True


class _Source:
    connection_class = _StreamElsewhere
    connection_kwargs: ClassVar[dict[str, object]] = {}


async def test_a_connection_whose_stream_the_line_cannot_take_is_a_redis_failure() -> None:
    """Not an AttributeError (a 500): a connection error, which the breaker
    counts and for which sensitive routes answer 503."""
    line = Line(_Source(), timeout=1.0)  # type: ignore[arg-type]
    with pytest.raises(RedisConnectionError):
        await line.call("PING")
    assert _StreamElsewhere.made[-1].disconnected
    await line.close()
