"""Detector updates batched per event-loop tick, off the response path."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import pytest

from gateway.ratelimit.batcher import Batcher, Done, merged
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


def collect(got: dict[int, Sequence[Observed] | None], n: int) -> Done:
    """A submitter's callback that keeps its results in `got[n]`."""
    async def done(results: Sequence[Observed] | None) -> None:
        got[n] = results
    return done


async def test_one_call_per_tick_and_each_gets_its_own_results() -> None:
    sent = Recorder()
    batcher = Batcher(sent.send)
    got: dict[int, Sequence[Observed] | None] = {}

    for n in range(50):
        batcher.submit([op(f"k{n}", *("m" * (n % 3 + 1)))], collect(got, n))
    assert sent.calls == []  # nothing is sent inside the submitting request
    await batcher.drain()
    assert len(sent.calls) == 1 and len(sent.calls[0]) == 50
    assert got == {n: [n % 3 + 1] for n in range(50)}
    assert batcher.pending == 0


async def test_updates_whose_results_no_one_wants_are_sent_and_skipped() -> None:
    """A response that only counts submits without a callback: its ops go in
    the tick's call, and the submitters beside it get their own results."""
    sent = Recorder()
    batcher = Batcher(sent.send)
    got: dict[int, Sequence[Observed] | None] = {}

    for n in range(6):
        batcher.submit([op(f"k{n}", *("m" * (n + 1)))], None if n % 2 else collect(got, n))
    await batcher.drain()
    assert [o.key for o in sent.calls[0]] == [f"k{n}" for n in range(6)]
    assert got == {0: [1], 2: [3], 4: [5]}


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


async def test_counter_updates_of_one_key_in_a_tick_go_as_one() -> None:
    """A client's responses in one tick: one counter update in the call, the
    members together; every submitter answered with the counters after all."""
    sent: list[list[Op]] = []

    async def send(ops: list[Op]) -> list[Observed]:
        sent.append(ops)
        return [{m: o.members.count(m) for m in o.members} if o.kind == "count"
                else len(o.members) for o in ops]

    batcher = Batcher(send)
    got: list[Sequence[Observed] | None] = []

    async def done(results: Sequence[Observed] | None) -> None:
        got.append(results)

    probing = Op("count", "pgw:pr:{a}", 60.0, ("all",))
    batcher.submit([probing], done)
    batcher.submit([probing._replace(members=("all", "error")), op("pgw:en:{a}", "x")], done)
    batcher.submit([Op("count", "pgw:pr:{b}", 60.0, ("all",))], done)
    batcher.submit([probing._replace(window=30.0)], done)  # another window: its own
    batcher.submit([probing], done)
    await batcher.drain()
    assert sent == [[Op("count", "pgw:pr:{a}", 60.0, ("all", "all", "error", "all")),
                     op("pgw:en:{a}", "x"), Op("count", "pgw:pr:{b}", 60.0, ("all",)),
                     probing._replace(window=30.0)]]
    after = {"all": 3, "error": 1}
    assert got == [[after], [after, 1], [{"all": 1}], [{"all": 1}], [after]]


def count(key: str, *members: str) -> Op:
    return Op("count", key, 60.0, members)


def add(key: str, *members: str) -> Op:
    """What the batcher sends of counts it added up: no one reads them back."""
    return Op("add", key, 60.0, members)


def test_counts_added_up_merge_into_a_count_read_back() -> None:
    """The batcher's added-up counts (`add`) and an update that wants its
    answer (`count`) on one key: one op, read back; added-up counts alone
    stay an `add`; another window is its own op."""
    ops, where = merged([add("pgw:pr:{a}", "all", "all"), add("pgw:pr:{b}", "all"),
                         count("pgw:pr:{a}", "all", "error"),
                         Op("add", "pgw:pr:{a}", 30.0, ("all",))])
    assert ops == [count("pgw:pr:{a}", "all", "all", "all", "error"), add("pgw:pr:{b}", "all"),
                   Op("add", "pgw:pr:{a}", 30.0, ("all",))]
    assert where == [0, 1, 0, 2]


def counting_send(sent: list[list[Op]]) -> Callable[[list[Op]], Awaitable[list[Observed]]]:
    async def send(ops: list[Op]) -> list[Observed]:
        sent.append(ops)
        return [{m: o.members.count(m) for m in o.members} if o.kind == "count"
                else len(o.members) for o in ops]
    return send


async def test_counts_no_one_waits_for_are_added_up_until_the_linger_ends() -> None:
    """Responses that only count, over several ticks: nothing is sent until
    the linger ends, then one call with one counter update per key, every
    member counted."""
    sent: list[list[Op]] = []
    batcher = Batcher(counting_send(sent), linger=0.05)
    for n in range(6):
        batcher.count([count("pgw:pr:{a}", "all")])
        if n % 2:
            batcher.count([count("pgw:pr:{b}", "all")])
        await asyncio.sleep(0)  # ticks go by
    assert sent == [] and batcher.pending == 2  # two keys added up
    await asyncio.sleep(0.12)
    assert sent == [[add("pgw:pr:{a}", *["all"] * 6), add("pgw:pr:{b}", *["all"] * 3)]]
    assert batcher.pending == 0


async def test_an_update_that_wants_its_answer_takes_the_counts_with_it() -> None:
    """An error response's update goes at the end of its tick, not after the
    linger, with the counts added up before it: its counters include them."""
    sent: list[list[Op]] = []
    batcher = Batcher(counting_send(sent), linger=30.0)
    got: list[Sequence[Observed] | None] = []

    async def done(results: Sequence[Observed] | None) -> None:
        got.append(results)

    for _ in range(3):
        batcher.count([count("pgw:pr:{a}", "all")])
    batcher.submit([count("pgw:pr:{a}", "all", "error")], done)
    for _ in range(3):
        await asyncio.sleep(0)
    assert sent == [[count("pgw:pr:{a}", "all", "all", "all", "all", "error")]]
    assert got == [[{"all": 4, "error": 1}]]
    await batcher.drain()
    assert len(sent) == 1  # the linger's timer went with the counts


async def test_enough_counts_go_at_the_next_tick_in_calls_of_most_ops() -> None:
    sent: list[list[Op]] = []
    batcher = Batcher(counting_send(sent), most=4, linger=30.0)
    for n in range(3):
        batcher.count([count(f"pgw:pr:{{k{n}}}", "all")])
    await asyncio.sleep(0)
    assert sent == []  # three members: they linger
    for n in range(3, 9):
        batcher.count([count(f"pgw:pr:{{k{n}}}", "all")])
    for _ in range(3):
        await asyncio.sleep(0)
    assert [len(c) for c in sent] == [4, 4, 1]  # nine keys, at most four ops a call
    assert {o.key for c in sent for o in c} == {f"pgw:pr:{{k{n}}}" for n in range(9)}


async def test_counts_added_up_are_sent_at_shutdown() -> None:
    sent: list[list[Op]] = []
    batcher = Batcher(counting_send(sent), linger=30.0)
    batcher.count([count("pgw:pr:{a}", "all")])
    batcher.count([count("pgw:pr:{a}", "all"), count("pgw:pr:{b}", "all")])
    await batcher.drain()
    assert sent == [[add("pgw:pr:{a}", "all", "all"), add("pgw:pr:{b}", "all")]]
    assert batcher.pending == 0


async def test_updates_submitted_without_an_answer_still_go_at_the_end_of_the_tick() -> None:
    """Only what `count` is given is added up: a submitted update (an id
    seen, a count beside it) goes with its tick's call."""
    sent: list[list[Op]] = []
    batcher = Batcher(counting_send(sent), linger=30.0)
    batcher.submit([op("pgw:en:{a}", "x"), count("pgw:pr:{a}", "all")], None)
    for _ in range(3):
        await asyncio.sleep(0)
    assert sent == [[op("pgw:en:{a}", "x"), count("pgw:pr:{a}", "all")]]
