"""The store in this process, on a clock of the test's own."""

from __future__ import annotations

from gateway.native import core
from gateway.ratelimit.memory import MemoryStore, new_table
from gateway.ratelimit.store import Bucket, Op
from gateway.ratelimit.table import Table


def bucket(name: str, rate: float = 1.0, burst: int = 3) -> Bucket:
    return Bucket(f"pgw:rl:{{{name}}}:r", rate, burst)


def test_the_native_table_when_the_core_is_used() -> None:
    table = new_table()
    assert isinstance(table, Table) == (core is None)


async def test_memory_windows_end_on_the_clock_and_expired_entries_go() -> None:
    now = [1000.0]  # the 60-second window [960, 1020)
    store = MemoryStore(clock=lambda: now[0])

    async def seen(member: str, at: float) -> list[object]:
        now[0] = at
        return await store.observe([Op("distinct", "pgw:en:{w}", 60, (member,)),
                                    Op("count", "pgw:pr:{w}", 60, ("all",))])

    assert await seen("a", 1000.0) == [1, {"all": 1}]
    assert await seen("b", 1019.9) == [2, {"all": 2}]
    assert await seen("b", 1020.0) == [1, {"all": 1}]  # a new window starts empty
    runs = []
    for value, at in ((5, 1030.0), (6, 1080.0), (7, 1140.5), (8, 1141.0)):
        now[0] = at
        runs += await store.observe([Op("run", "pgw:sr:{w}", 60, value=value)])
    assert runs == [1, 2, 1, 2]  # a run lives 60 s past its last value
    for i in range(10_000):  # new entries; the 10,000th sweeps out the expired ones
        now[0] = 2000.0 + i / 100
        await store.decide([bucket(f"s{i}", rate=1000.0, burst=1)], [])
    assert len(store) < 200  # the buckets of the last second or so



async def test_penalties_are_listed_without_their_factor_and_lifted() -> None:
    now = [1000.0]
    store = MemoryStore(clock=lambda: now[0])
    await store.penalize("pgw:pen:{a}", "throttle:4", "paging:ip", 30)
    await store.penalize("pgw:pen:{b}", "ban", "honeytoken:subject", 5)
    await store.decide([bucket("a")], ["pgw:pen:{a}"])  # a bucket: not a penalty
    now[0] = 1001.0
    listed = sorted((p.key, p.action, p.reason, p.ttl) for p in await store.penalties())
    assert listed == [("pgw:pen:{a}", "throttle", "paging:ip", 29.0),
                      ("pgw:pen:{b}", "ban", "honeytoken:subject", 4.0)]
    assert await store.lift("pgw:pen:{b}") and not await store.lift("pgw:pen:{b}")
    now[0] = 1031.0  # the throttle has run out
    assert await store.penalties() == []
