"""Decisions of one event-loop tick sent together: one exchange per lane,
one script call per slot in it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Hashable
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from gateway.obs.looplag import LAG
from gateway.ratelimit.coalesce import Call, Coalescer, in_turn


class Script:
    """Answers each decision with its keys, as the many-decisions script
    would lay them out; records every exchange and every call in it. A call
    to a slot in `broken` is answered with an error."""

    def __init__(self, fail: bool = False, short: bool = False,
                 broken: frozenset[int] = frozenset()) -> None:
        self.calls: list[tuple[list[str], list[Any]]] = []
        self.slots: list[int] = []
        self.exchanges: list[tuple[Hashable, list[int]]] = []  # lane, slots of its calls
        self.fail, self.short, self.broken = fail, short, broken
        self.release = asyncio.Event()
        self.release.set()

    async def send(self, lane: Hashable, calls: list[Call]) -> list[Any]:
        self.exchanges.append((lane, [slot for slot, _, _ in calls]))
        for slot, keys, args in calls:
            self.calls.append((keys, args))
            self.slots.append(slot)
        await self.release.wait()
        if self.fail:
            raise RedisConnectionError("down")
        return [ResponseError("broken") if slot in self.broken else self._answer(keys, args)
                for slot, keys, args in calls]

    def _answer(self, keys: list[str], args: list[Any]) -> list[Any]:
        m, out, k = args[0], [], 0
        for d in range(m):
            nk = args[1 + 2 * d]
            out.append(keys[k:k + nk])
            k += nk
        return out[:-1] if self.short else out


async def test_one_call_per_slot_per_tick_each_caller_its_own_reply() -> None:
    script = Script()
    calls = Coalescer(script.send, None)
    replies = await asyncio.gather(
        calls.call(1, 1, ["a1", "a2"], ["x"]), calls.call(2, 2, ["b"], ["y", "z"]),
        calls.call(1, 1, ["c"], []))
    assert replies == [["a1", "a2"], ["b"], ["c"]]
    assert sorted(script.calls) == [
        (["a1", "a2", "c"], [2, 2, 1, 1, 0, "x"]),   # m, then per decision keys/args, then args
        (["b"], [1, 1, 2, "y", "z"])]
    assert sorted(script.slots) == [1, 2]  # each call told its slot (a cluster checks it)
    assert await calls.call(1, 1, ["d"], []) == ["d"]  # the next tick: a call of its own
    assert len(script.calls) == 3


async def test_the_slots_of_one_lane_go_in_one_exchange_a_call_each() -> None:
    """A cluster's master is one lane: its clients' slots share a round trip."""
    script = Script()
    calls = Coalescer(script.send, None)
    replies = await asyncio.gather(
        calls.call("m1", 1, ["a"], []), calls.call("m1", 2, ["b"], []),
        calls.call("m2", 3, ["c"], []), calls.call("m1", 1, ["d"], []))
    assert replies == [["a"], ["b"], ["c"], ["d"]]
    assert sorted(script.exchanges, key=str) == [("m1", [1, 2]), ("m2", [3])]
    assert (["a", "d"], [2, 1, 0, 1, 0]) in script.calls  # slot 1's decisions: one call


async def test_a_call_answered_with_an_error_fails_only_its_own_decisions() -> None:
    script = Script(broken=frozenset({2}))
    calls = Coalescer(script.send, None)
    results = await asyncio.gather(calls.call("m", 1, ["a"], []), calls.call("m", 2, ["b"], []),
                                   calls.call("m", 1, ["c"], []), return_exceptions=True)
    assert results[0] == ["a"] and results[2] == ["c"]
    assert isinstance(results[1], ResponseError)
    assert len(script.exchanges) == 1


async def test_at_most_most_decisions_per_call() -> None:
    script = Script()
    calls = Coalescer(script.send, None, most=4)
    replies = await asyncio.gather(*(calls.call(0, 0, [f"k{i}"], []) for i in range(10)))
    assert replies == [[f"k{i}"] for i in range(10)]
    assert [c[1][0] for c in script.calls] == [4, 4, 2]


@pytest.mark.parametrize("script", [Script(fail=True), Script(short=True)],
                         ids=["redis down", "wrong reply count"])
async def test_a_failed_call_fails_every_caller_in_it(script: Script) -> None:
    calls = Coalescer(script.send, None)
    results = await asyncio.gather(calls.call(0, 0, ["a"], []), calls.call(0, 0, ["b"], []),
                                   return_exceptions=True)
    expected = RedisConnectionError if script.fail else ResponseError
    assert all(isinstance(r, expected) for r in results)
    assert len(script.calls) == 1


async def test_a_caller_that_stops_waiting_leaves_the_others_their_replies() -> None:
    script = Script()
    script.release.clear()
    calls = Coalescer(script.send, None)
    impatient = asyncio.ensure_future(calls.call(0, 0, ["a"], []))
    patient = asyncio.ensure_future(calls.call(0, 0, ["b"], []))
    await asyncio.sleep(0.01)
    impatient.cancel()
    script.release.set()
    assert await patient == ["b"]
    assert impatient.cancelled()


async def test_drain_waits_for_calls_in_flight() -> None:
    script = Script()
    script.release.clear()
    calls = Coalescer(script.send, None)
    waiting = asyncio.ensure_future(calls.call(0, 0, ["a"], []))
    await asyncio.sleep(0)
    drained = asyncio.ensure_future(calls.drain())
    await asyncio.sleep(0.01)
    assert not drained.done()
    script.release.set()
    await drained
    assert waiting.done() and waiting.result() == ["a"]


async def one_call_out(most: int = 64
                       ) -> tuple[Script, Coalescer, asyncio.Future[list[Any]]]:
    """A coalescer whose script has not answered yet, decision "a" of slot 0 sent."""
    script = Script()
    script.release.clear()
    calls = Coalescer(script.send, None, most=most)
    first = asyncio.ensure_future(calls.call(0, 0, ["a"], []))
    await asyncio.sleep(0.01)  # the call is out
    return script, calls, first


async def test_asked_while_the_slots_call_is_out_goes_together_when_it_returns() -> None:
    script, calls, first = await one_call_out()
    later = [asyncio.ensure_future(calls.call(0, 0, [k], [])) for k in ("b", "c")]
    other = asyncio.ensure_future(calls.call(1, 1, ["x"], []))  # another slot is not held
    await asyncio.sleep(0.01)
    assert [c[0] for c in script.calls] == [["a"], ["x"]]
    script.release.set()
    assert await first == ["a"] and await other == ["x"]
    assert [await f for f in later] == [["b"], ["c"]]
    assert [c[0] for c in script.calls] == [["a"], ["x"], ["b", "c"]]  # one call for both


async def test_a_caller_that_stopped_waiting_before_its_call_went_is_left_out() -> None:
    script, calls, first = await one_call_out()
    gave_up = asyncio.ensure_future(calls.call(0, 0, ["b"], []))
    kept = asyncio.ensure_future(calls.call(0, 0, ["c"], []))
    await asyncio.sleep(0.01)
    gave_up.cancel()
    script.release.set()
    assert await first == ["a"] and await kept == ["c"]
    assert [c[0] for c in script.calls] == [["a"], ["c"]]


async def test_more_than_most_queued_behind_a_call_go_in_parallel() -> None:
    script, calls, first = await one_call_out(most=2)
    later = [asyncio.ensure_future(calls.call(0, 0, [f"k{i}"], [])) for i in range(5)]
    await asyncio.sleep(0)
    script.release.set()
    await first
    assert [await f for f in later] == [[f"k{i}"] for i in range(5)]
    assert [c[1][0] for c in script.calls] == [1, 2, 2, 1]


async def test_decisions_past_their_deadline_fail_and_a_late_reply_is_dropped() -> None:
    LAG.observe(0.0)  # no earlier test's loop lag in the deadline
    LAG.observe(0.0)
    script = Script()
    script.release.clear()  # Redis does not answer
    calls = Coalescer(script.send, timeout=0.05)
    loop = asyncio.get_running_loop()
    began = loop.time()
    out = asyncio.ensure_future(calls.call(0, 0, ["a"], []))
    await asyncio.sleep(0.01)
    behind = asyncio.ensure_future(calls.call(0, 0, ["b"], []))  # queued behind the call out
    results = await asyncio.gather(out, behind, return_exceptions=True)
    took = loop.time() - began
    assert all(isinstance(r, TimeoutError) for r in results)
    assert 0.05 <= took < 0.2
    assert calls._sweeper is None  # nothing waits: no timer left behind
    script.release.set()  # the reply comes late: nobody gets it, nothing breaks
    await calls.drain()
    assert [c[0] for c in script.calls] == [["a"]]  # "b" gave up before its call went


async def test_time_our_own_loop_was_busy_is_not_counted_against_redis() -> None:
    """A burst that holds the loop for twice the timeout (requests arriving at
    once) while Redis answers at once: the decision is answered, not timed out."""
    LAG.observe(0.0)
    LAG.observe(0.0)
    script = Script()
    script.release.clear()
    calls = Coalescer(script.send, timeout=0.05)
    out = asyncio.ensure_future(calls.call(0, 0, ["a"], []))
    await asyncio.sleep(0.01)  # the call is out; the sweeper runs
    time.sleep(0.1)  # noqa: ASYNC251 -- the loop is held on purpose: no sweep, no reply read
    # the reply is read a turn after the held loop's overdue sweep has run
    asyncio.get_running_loop().call_later(0.002, script.release.set)
    assert await out == ["a"]


async def test_a_prompt_reply_cancels_nothing() -> None:
    calls = Coalescer(Script().send, timeout=0.05)
    assert await calls.call(0, 0, ["a"], []) == ["a"]
    await asyncio.sleep(0.1)  # past the deadline: the answered decision stays answered
    assert await calls.call(0, 0, ["b"], []) == ["b"]


async def test_a_cancelled_call_does_not_strand_what_queued_behind_it() -> None:
    script, calls, first = await one_call_out()
    behind = asyncio.ensure_future(calls.call(0, 0, ["b"], []))
    await asyncio.sleep(0)
    for task in set(calls._tasks):  # e.g. the loop shutting down under it
        task.cancel()
    await asyncio.sleep(0.01)
    assert first.cancelled()
    script.release.set()
    assert await asyncio.wait_for(behind, 1.0) == ["b"]
    await asyncio.wait_for(calls.drain(), 1.0)


async def test_replies_awaited_in_turn_and_a_failure_cancels_the_rest() -> None:
    """Calls in flight together (a keyed client's slot groups on Redis
    Cluster, an exchange's replies on a line): the results in order; when
    one fails, the calls still waiting are cancelled (not sent if still
    queued) and an error beside it is read, not left to warn; a cancelled
    caller cancels what it waited for."""
    loop = asyncio.get_running_loop()
    first, second = loop.create_future(), loop.create_future()
    first.set_result(["a"])
    second.set_result(["b"])
    assert await in_turn([first, second]) == [["a"], ["b"]]

    failing, waiting = loop.create_future(), loop.create_future()
    failing.set_exception(ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await in_turn([failing, waiting])
    assert waiting.cancelled()

    waiting, failed_too = loop.create_future(), loop.create_future()
    loop.call_soon(waiting.set_exception, TimeoutError())
    loop.call_soon(failed_too.set_exception, ConnectionError("down"))
    with pytest.raises(TimeoutError):
        await in_turn([waiting, failed_too])
    assert failed_too.done() and not failed_too.cancelled()
    assert failed_too._log_traceback is False  # read: asyncio will not warn of it

    pending = [loop.create_future(), loop.create_future()]
    task = asyncio.ensure_future(in_turn(pending))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all(f.cancelled() for f in pending)
