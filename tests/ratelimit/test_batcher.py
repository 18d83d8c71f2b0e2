"""Detector updates batched per event-loop tick, off the response path."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from gateway.ratelimit.batcher import Batcher
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.store import Observed, Op


def op(key: str, *members: str) -> Op:
    return Op("distinct", key, 60.0, members)


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[Op]] = []
        self.fail = fail

    async def send(self, ops: list[Op]) -> list[Observed]:
        self.calls.append(ops)
        await asyncio.sleep(0)
        if self.fail:
            raise ConnectionError("down")
        return [len(o.members) for o in ops]


async def test_one_call_per_tick_and_each_gets_its_own_results() -> None:
    sent = Recorder()
    batcher = Batcher(sent.send)
    got: dict[int, Sequence[Observed] | None] = {}

    def done_for(n: int):  # type: ignore[no-untyped-def]
        async def done(results: Sequence[Observed] | None) -> None:
            got[n] = results
        return done

    for n in range(50):
        batcher.submit([op(f"k{n}", *("m" * (n % 3 + 1)))], done_for(n))
    assert sent.calls == []  # nothing is sent inside the submitting request
    await batcher.drain()
    assert len(sent.calls) == 1 and len(sent.calls[0]) == 50
    assert got == {n: [n % 3 + 1] for n in range(50)}
    assert batcher.pending == 0


async def test_large_ticks_are_split_and_failures_reach_every_submitter() -> None:
    sent = Recorder(fail=True)
    batcher = Batcher(sent.send, most=10)
    seen: list[Sequence[Observed] | None] = []

    async def done(results: Sequence[Observed] | None) -> None:
        seen.append(results)

    for n in range(25):
        batcher.submit([op(f"k{n}", "a")], done)
    await batcher.drain()
    assert [len(c) for c in sent.calls] == [10, 10, 5]
    assert seen == [None] * 25


async def test_a_failing_submitter_does_not_stop_the_others() -> None:
    batcher = Batcher(Recorder().send)
    seen: list[int] = []

    async def bad(results: Sequence[Observed] | None) -> None:
        raise RuntimeError("boom")

    async def good(results: Sequence[Observed] | None) -> None:
        seen.append(1)

    batcher.submit([op("a", "x")], bad)
    batcher.submit([op("b", "x")], good)
    await batcher.drain()
    assert seen == [1]


async def test_closing_the_holder_sends_what_is_queued() -> None:
    holder = StoreHolder()
    seen: list[Sequence[Observed] | None] = []

    async def done(results: Sequence[Observed] | None) -> None:
        seen.append(results)

    holder.batcher.submit([op("pgw:pr:{x}", "all")], done)
    await holder.close()  # shutdown: the count is not lost
    assert seen == [[1]]


@pytest.mark.parametrize("ticks", [2, 3])
async def test_separate_ticks_are_separate_calls(ticks: int) -> None:
    sent = Recorder()
    batcher = Batcher(sent.send)

    async def done(results: Sequence[Observed] | None) -> None:
        return None

    for t in range(ticks):
        batcher.submit([op(f"k{t}", "a")], done)
        await asyncio.sleep(0.01)
    await batcher.drain()
    assert len(sent.calls) == ticks
