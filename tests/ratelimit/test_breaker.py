from __future__ import annotations

import asyncio
import io
import json

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, SlotNotCoveredError

from gateway.obs.logging import configure_logging, flush_logs
from gateway.obs.looplag import LAG
from gateway.ratelimit.breaker import Breaker, StoreUnavailable


async def test_opens_after_failures_in_a_row_then_tries_again() -> None:
    breaker = Breaker(timeout=0.05, failures=2, reset=0.1)
    calls = 0

    async def down() -> int:
        nonlocal calls
        calls += 1
        raise RedisConnectionError("refused")

    async def up() -> int:
        nonlocal calls
        calls += 1
        return 7

    for _ in range(2):
        with pytest.raises(StoreUnavailable):
            await breaker.call(down)
    assert breaker.open
    with pytest.raises(StoreUnavailable):
        await breaker.call(up)          # open: Redis is not even asked
    assert calls == 2
    await asyncio.sleep(0.12)
    assert await breaker.call(up) == 7 and not breaker.open


@pytest.mark.parametrize("error", [
    RedisConnectionError("refused"),
    # not a RedisError: redis-py's cluster client raises it when slots are
    # not covered (a master gone with no replica); it went past the breaker
    SlotNotCoveredError('Slot "7" not covered by the cluster.'),
    RedisClusterException("All slots are not covered after query all startup_nodes."),
    ConnectionResetError()])
async def test_every_way_a_store_fails_is_a_failure(error: Exception) -> None:
    breaker = Breaker(timeout=0.05, failures=1, reset=10)

    async def fails() -> int:
        raise error

    with pytest.raises(StoreUnavailable):
        await breaker.call(fails)
    assert breaker.open


async def test_a_slow_store_is_cut_off_at_the_timeout() -> None:
    breaker = Breaker(timeout=0.05, failures=5, reset=1)

    async def slow() -> int:
        await asyncio.sleep(5)
        return 1

    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(StoreUnavailable):
        await breaker.call(slow)
    assert loop.time() - began < 0.5


async def test_a_bounded_call_keeps_its_own_time_and_its_timeout_counts() -> None:
    breaker = Breaker(timeout=0.05, failures=2, reset=1)

    async def slower_than_the_timeout() -> int:  # a store that bounds itself
        await asyncio.sleep(0.08)
        return 1

    async def timed_out() -> int:
        raise TimeoutError

    assert await breaker.call(slower_than_the_timeout, bounded=True) == 1  # no second timer
    for _ in range(2):
        with pytest.raises(StoreUnavailable):
            await breaker.call(timed_out, bounded=True)
    assert breaker.open


async def test_degraded_decisions_are_reported_through_the_callback() -> None:
    seen: list[str] = []
    breaker = Breaker(timeout=0.05, failures=1, reset=1, on_degraded=seen.append)
    breaker.note_degraded("decide")
    breaker.note_degraded("observe")
    assert seen == ["decide", "observe"] and breaker.degraded >= 1


async def test_a_late_loop_is_not_held_against_redis() -> None:
    """The deadline is Redis's timeout plus the loop's recent lag: on a
    saturated loop a prompt reply is read late."""
    breaker = Breaker(timeout=0.05, failures=1, reset=1)

    async def read_late() -> int:
        await asyncio.sleep(0.1)
        return 7

    try:
        LAG.observe(0.2)
        assert await breaker.call(read_late) == 7 and not breaker.open
        LAG.observe(0.0)
        LAG.observe(0.0)
        with pytest.raises(StoreUnavailable):
            await breaker.call(read_late)
        assert breaker.open
    finally:
        LAG.observe(0.0)
        LAG.observe(0.0)


async def test_calls_in_flight_when_it_opens_log_it_once() -> None:
    """Fifty decisions waiting on a Redis that goes away fail together: one
    `ratelimit_store_down` line for the opening, not fifty."""
    breaker = Breaker(timeout=1.0, failures=3, reset=0.2)
    gone = asyncio.Event()

    async def waiting() -> int:
        await gone.wait()
        raise RedisConnectionError("reset by peer")

    lines = io.StringIO()
    configure_logging("json", "info", stream=lines)
    calls = [asyncio.create_task(breaker.call(waiting)) for _ in range(50)]
    await asyncio.sleep(0)
    gone.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, StoreUnavailable) for r in results) and breaker.open
    await asyncio.sleep(0.25)  # closed again; Redis still away: it opens again, logged
    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            await breaker.call(waiting)
    flush_logs()
    events = [json.loads(line)["event"] for line in lines.getvalue().splitlines()]
    assert events.count("ratelimit_store_down") == 2
