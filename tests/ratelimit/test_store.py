"""One contract, three stores: in memory, a real redis-server and a real
three-master Redis Cluster."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Hashable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from gateway.obs.looplag import LAG
from gateway.ratelimit.cluster_store import RedisClusterStore
from gateway.ratelimit.coalesce import Call
from gateway.ratelimit.memory import MemoryStore
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.store import Bucket, LimitStore, Op, gcra
from tests.conftest import RedisClusterProcesses, RedisProcess


@pytest.fixture(params=["memory", "redis", "cluster"])
async def store(request: pytest.FixtureRequest, redis_server: RedisProcess,
                redis_cluster: RedisClusterProcesses) -> AsyncIterator[LimitStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    redis = (RedisStore(redis_server.url, timeout=2.0) if request.param == "redis"
             else RedisClusterStore(redis_cluster.url, timeout=2.0))
    await redis.redis.flushdb()
    yield redis
    await redis.close()


def bucket(name: str, rate: float = 1.0, burst: int = 3, quota: int = 0) -> Bucket:
    return Bucket(f"pgw:rl:{{{name}}}:r", rate, burst, quota)


async def test_burst_then_denied_with_retry_after(store: LimitStore) -> None:
    b = bucket("a", rate=1.0, burst=3)
    verdicts = [await store.decide([b], []) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts[:3]] == [(2,), (1,), (0,)]
    assert verdicts[3].denied == 0 and 0.5 < verdicts[3].retry_after <= 1.0


async def test_refills_at_the_rate(store: LimitStore) -> None:
    b = bucket("b", rate=20.0, burst=1)
    assert (await store.decide([b], [])).allowed
    assert not (await store.decide([b], [])).allowed
    await asyncio.sleep(0.06)
    assert (await store.decide([b], [])).allowed


async def test_all_or_nothing(store: LimitStore) -> None:
    roomy, tight = bucket("c", burst=10), bucket("d", burst=1)
    assert (await store.decide([roomy, tight], [])).allowed
    denied = await store.decide([roomy, tight], [])
    assert not denied.allowed and denied.denied == 1
    # the roomy bucket was not charged for the denied request
    assert (await store.decide([roomy], [])).remaining == (8,)


async def test_daily_quota(store: LimitStore) -> None:
    b = bucket("e", rate=1000.0, burst=1000, quota=2)
    results = [await store.decide([b], []) for _ in range(3)]
    assert [r.allowed for r in results] == [True, True, False]
    assert results[2].quota_hit and results[2].retry_after > 0


async def test_penalties(store: LimitStore) -> None:
    b = bucket("f", rate=100.0, burst=100)
    await store.penalize("pgw:pen:{f}", "throttle:100", "paging:ip", 60)
    first, second = await store.decide([b], ["pgw:pen:{f}"]), await store.decide([b], [
        "pgw:pen:{f}"])
    assert first.allowed and first.penalty == "throttle" and not second.allowed  # 1/s, burst 1
    await store.penalize("pgw:pen:{g}", "ban", "enumeration:subject", 0.3)
    banned = await store.decide([b], ["pgw:pen:{x}", "pgw:pen:{g}"])
    assert not banned.allowed and banned.penalty == "ban" and 0 < banned.penalty_ttl <= 0.3
    listed = {p.key: p for p in await store.penalties()}
    assert listed["pgw:pen:{g}"].action == "ban"
    assert listed["pgw:pen:{g}"].reason == "enumeration:subject"
    assert listed["pgw:pen:{f}"].action == "throttle"
    await asyncio.sleep(0.35)                       # bans expire on their own
    assert "pgw:pen:{g}" not in {p.key for p in await store.penalties()}
    assert await store.lift("pgw:pen:{f}") and not await store.lift("pgw:pen:{f}")


async def test_observations_in_one_round_trip(store: LimitStore) -> None:
    first = await store.observe([Op("distinct", "pgw:en:{h}", 60, ("a", "b")),
                                 Op("count", "pgw:pr:{h}", 60, ("all", "error")),
                                 Op("run", "pgw:sr:{h}", 60, value=5)])
    assert first == [2, {"all": 1, "error": 1}, 1]
    again = await store.observe([Op("distinct", "pgw:en:{h}", 60, ("b", "c")),
                                 Op("count", "pgw:pr:{h}", 60, ("all",))])
    assert again == [3, {"all": 2, "error": 1}]
    merged = ("all", "error", "all", "all", "error")  # a tick's updates, merged by the batcher
    assert await store.observe([Op("count", "pgw:pr:{h}", 60, merged)]) == [
        {"all": 5, "error": 3}]
    runs = [(await store.observe([Op("run", "pgw:sr:{h}", 60, value=v)]))[0]
            for v in (6, 7, 7, 9, 8)]
    assert runs == [2, 3, 3, 1, 2]
    # counts no one reads back (the batcher's added-up ones): counted, answered 0
    assert await store.observe([Op("add", "pgw:pr:{h}", 60, ("all", "all")),
                                Op("add", "pgw:pr:{h2}", 60, ("error",))]) == [0, 0]
    assert await store.observe([Op("count", "pgw:pr:{h}", 60, ("error",)),
                                Op("count", "pgw:pr:{h2}", 60, ())]) == [
        {"all": 7, "error": 4}, {"error": 1}]
    many = tuple(str(i) for i in range(1200))     # more members than one PFADD takes
    (count,) = await store.observe([Op("distinct", "pgw:ex:{h}:CN_MOBILE", 60, many)])
    assert abs(int(count) - 1200) <= 1200 * 0.02  # HyperLogLog: within its error
    assert await store.observe([]) == []


async def test_every_redis_key_expires(redis_server: RedisProcess) -> None:
    store = RedisStore(redis_server.url, timeout=2.0)
    await store.redis.flushdb()
    await store.decide([bucket("t", quota=5)], ["pgw:pen:{t}"])
    await store.observe([Op("distinct", "pgw:en:{t}", 60, ("a",)),
                         Op("count", "pgw:pr:{t}", 60, ("all",)), Op("run", "pgw:sr:{t}", 60)])
    # a member seen before changes nothing, a counter goes on (their keys keep
    # their TTLs); no members at all still makes a key, with a TTL
    await store.observe([Op("distinct", "pgw:en:{t}", 60, ("a",)),
                         Op("distinct", "pgw:ex:{t}", 60, ()),
                         Op("count", "pgw:pr:{t}", 60, ("all", "error"))])
    # a counter made by a merged update (a member more than once), and by an add
    await store.observe([Op("count", "pgw:pr:{t2}", 60, ("all", "all", "error", "error"))])
    await store.observe([Op("add", "pgw:pr:{t3}", 60, ("all",))])
    await store.penalize("pgw:pen:{t}", "ban", "x", 60)
    client = Redis.from_url(redis_server.url)
    keys = await client.keys("*")
    ttls = [await client.ttl(k) for k in keys]
    assert len(keys) == 9 and all(t > 0 for t in ttls)
    await client.aclose()
    await store.close()


def test_gcra_arithmetic() -> None:
    assert gcra(0.0, 10.0, 2.0, 2) == (True, 10.5, 1, 0.0)
    allowed, tat, remaining, retry = gcra(11.0, 10.0, 2.0, 2)
    assert (allowed, tat, remaining) == (False, 11.0, 0) and retry == pytest.approx(0.5, abs=1e-5)
    now = 1_764_000_000.123457  # the last slot of a burst at the same instant (float noise)
    assert gcra(now + 4.0, now, 0.5, 3)[:3] == (True, now + 6.0, 0)


async def test_a_decision_carries_the_requests_detector_updates(store: LimitStore) -> None:
    ops = [Op("distinct", "pgw:en:{o}", 60, ("a",)), Op("run", "pgw:sr:{o}", 60, value=3)]
    verdict = await store.decide([bucket("o", burst=1)], ["pgw:pen:{o}"], ops)
    assert verdict.allowed and verdict.observed == (1, 1)
    denied = await store.decide([bucket("o", burst=1)], ["pgw:pen:{o}"],
                                [Op("distinct", "pgw:en:{o}", 60, ("b",))])
    assert not denied.allowed and denied.observed == (2,)  # attempts count, admitted or not


async def test_decisions_made_at_once_are_decided_one_after_another(store: LimitStore) -> None:
    """Decisions asked for in one event-loop tick (one script call on Redis,
    one per slot on the cluster) come out as if each had been called alone:
    a burst of 3 admits 3 of 10, clients do not share buckets, and each
    caller gets its own detector results."""
    tight = bucket("p", rate=0.5, burst=3)
    verdicts = await asyncio.gather(*(
        store.decide([tight, bucket(f"q{i}", burst=5)], [f"pgw:pen:{{q{i}}}"],
                     [Op("distinct", f"pgw:en:{{q{i}}}", 60, tuple(str(j) for j in range(i)))])
        for i in range(10)))
    assert [v.allowed for v in verdicts] == [True] * 3 + [False] * 7
    assert [v.remaining for v in verdicts[:3]] == [(2, 4), (1, 4), (0, 4)]
    assert all(v.denied == 0 and v.retry_after > 1.0 for v in verdicts[3:])
    assert [v.observed for v in verdicts] == [(i,) for i in range(10)]
    again = [await store.decide([bucket(f"q{i}", burst=5)], []) for i in range(4)]
    # the three admitted and the first denied charged their own buckets once
    assert [v.remaining for v in again] == [(3,), (3,), (3,), (4,)]


@pytest.mark.parametrize("kind", ["redis", "cluster"])
async def test_updates_share_the_ticks_script_call_with_the_decisions(
        kind: str, redis_server: RedisProcess, redis_cluster: RedisClusterProcesses) -> None:
    """A response's probing counts (`observe`) made in the same event-loop tick
    as requests' decisions go in the decisions' call: one script call for the
    client's slot, each caller with its own answer."""
    store = (RedisStore(redis_server.url, timeout=2.0) if kind == "redis"
             else RedisClusterStore(redis_cluster.url, timeout=2.0))
    await store.redis.flushdb()
    calls = []
    send = store._decisions._send  # one exchange: a script call per slot

    async def counted(lane: Hashable, sent: list[Call]) -> list[Any]:
        calls.extend(keys for _, keys, _ in sent)
        return await send(lane, sent)

    store._decisions._send = counted
    try:
        await store.decide([bucket("t")], [])  # the cluster reads its slot map first
        calls.clear()
        verdict, seen, again = await asyncio.gather(
            store.decide([bucket("t")], ["pgw:pen:{t}"],
                         [Op("distinct", "pgw:en:{t}", 60, ("a",))]),
            store.observe([Op("count", "pgw:pr:{t}", 60, ("all", "error"))]),
            store.observe([Op("count", "pgw:pr:{t}", 60, ("all",)),
                           Op("distinct", "pgw:en:{t}", 60, ("b",))]))
        assert len(calls) == 1
        assert verdict.allowed and verdict.remaining == (1,) and verdict.observed == (1,)
        assert seen == [{"all": 1, "error": 1}] and again == [{"all": 2, "error": 1}, 2]
    finally:
        await store.close()


async def test_a_hung_redis_times_out_every_waiting_decision(tmp_path: Path) -> None:
    """A Redis that stops answering (SIGSTOP): decisions, including those queued
    behind the call that hangs, fail with TimeoutError at their deadline."""
    LAG.observe(0.0)  # no earlier test's loop lag in the deadline
    LAG.observe(0.0)
    redis = RedisProcess(tmp_path).start()
    store = RedisStore(redis.url, timeout=0.1)
    try:
        await store.decide([bucket("h")], [])
        assert redis.proc is not None
        redis.proc.send_signal(signal.SIGSTOP)
        loop = asyncio.get_running_loop()
        began = loop.time()
        first = asyncio.ensure_future(store.decide([bucket("h")], []))
        await asyncio.sleep(0.02)
        results = await asyncio.gather(
            first, store.decide([bucket("h")], []),
            store.observe([Op("count", "pgw:pr:{h}", 60, ("all",))]), return_exceptions=True)
        assert all(isinstance(r, TimeoutError) for r in results), results
        assert loop.time() - began < 0.5
    finally:
        if redis.proc is not None:
            redis.proc.send_signal(signal.SIGCONT)
        await store.close()
        redis.stop()
