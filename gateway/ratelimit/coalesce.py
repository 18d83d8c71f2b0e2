"""Decisions asked for while their slot's call is out, sent as one script
call per hash slot.

Under load many requests ask for a decision between two turns of the event
loop; each was its own `EVALSHA` (redis-py's per-call work and a round of
syscalls on both sides). Queued per slot, they go as one call of the
many-decisions script (`lua.DECIDE`), which takes them one after another,
exactly as separate calls would; each caller gets its own reply. A slot has
one call out at a time: what is asked while it is out waits for its reply
and then goes at once, together, so the busier the gateway the fewer calls
per decision; an idle gateway sends at the end of the tick, as before. At
most `most` decisions per call. A caller that stops waiting leaves a call
that went to finish for the others, and is left out of one that has not
gone yet; a call that fails fails every caller in it.

Each decision has a deadline, `breaker.budget(timeout)` from when it was
asked: one timer for the whole queue (every `SWEEP` while decisions wait)
fails the late ones with TimeoutError, in place of a timer per decision
(`asyncio.timeout`: ~7 µs a request on uvloop). Deadlines run on the
sweeps' own clock, which a sweep moves by the time since the last one but
by at most two intervals: a sweep that runs late was held up by this
process's loop (a garbage collection, a burst of arrivals, the VM paused),
not by Redis, and that time is not counted against Redis. (On wall time,
the gateway stopped for 80 ms eight times in a 6-second run at 64
connections timed out decisions Redis had answered: the breaker opened and
14,525 decisions were made locally; none now.) A Redis that does not
answer still fails its decisions: with the loop free in `timeout`, busy in
a few times that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import ResponseError

from gateway.ratelimit.breaker import budget

Send = Callable[[int, list[str], list[Any]], Awaitable[list[Any]]]
_Item = tuple[list[str], list[Any], "asyncio.Future[list[Any]]"]
SWEEP = 0.005  # seconds between looks for late decisions (at most a tenth of the timeout)


class Coalescer:
    def __init__(self, send: Send, timeout: float | None, most: int = 64) -> None:
        """`send(slot, keys, args)`: one call of the many-decisions script
        (all keys in `slot`); `timeout`: Redis's (None: callers wait as long as their
        call takes)."""
        self._send = send
        self._timeout = timeout
        self._most = most
        self._waiting: list[tuple[float, asyncio.Future[list[Any]]]] = []
        self._sweeper: asyncio.TimerHandle | None = None
        self._clock = 0.0  # the sweeps' clock: seconds, our loop's lateness left out
        self._swept = 0.0  # loop time of the last sweep (or of the sweeper's start)
        self._queue: dict[int, list[_Item]] = {}
        self._out: dict[int, int] = {}  # calls out per slot
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def call(self, slot: int, keys: list[str], args: list[Any]) -> list[Any]:
        """One decision's reply: `keys` and `args` as the one-decision script
        reads them."""
        return await self.submit(slot, keys, args)

    def submit(self, slot: int, keys: list[str], args: list[Any]) -> asyncio.Future[list[Any]]:
        """`call` without a coroutine: the future of the reply (a request's
        slot groups on a cluster are awaited together, no task each)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        self._queue.setdefault(slot, []).append((keys, args, future))
        if not self._scheduled and slot not in self._out:
            self._scheduled = True
            loop.call_soon(self._flush)
        if self._timeout is not None:
            if self._sweeper is None:
                self._swept = loop.time()
                self._sweeper = loop.call_later(self._interval(), self._sweep)
            self._waiting.append((self._clock + budget(self._timeout), future))
        return future

    def _interval(self) -> float:
        assert self._timeout is not None
        return min(SWEEP, self._timeout / 10)

    def _sweep(self) -> None:
        """Move the clock, fail the decisions past their deadline; look again
        while some wait."""
        loop = asyncio.get_running_loop()
        now, interval = loop.time(), self._interval()
        self._clock += min(now - self._swept, 2 * interval)  # lateness is our loop's
        self._swept = now
        waiting = []
        for deadline, future in self._waiting:
            if future.done():
                continue
            if deadline <= self._clock:
                future.set_exception(TimeoutError())
            else:
                waiting.append((deadline, future))
        self._waiting = waiting
        self._sweeper = loop.call_later(interval, self._sweep) if waiting else None

    def _flush(self) -> None:
        self._scheduled = False
        for slot in [s for s in self._queue if s not in self._out]:
            self._start(slot)

    def _start(self, slot: int) -> None:
        """Send what the slot has queued: one call, or one per `most` decisions
        (in parallel)."""
        items = [i for i in self._queue.pop(slot) if not i[2].done()]  # no one waits: not sent
        loop = asyncio.get_running_loop()
        for at in range(0, len(items), self._most):
            self._out[slot] = self._out.get(slot, 0) + 1
            task = loop.create_task(self._run(slot, items[at:at + self._most]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, slot: int, items: list[_Item]) -> None:
        try:
            await self._answer(slot, items)
        finally:
            self._out[slot] -= 1
            if not self._out[slot]:
                del self._out[slot]
                if slot in self._queue:  # asked while the call was out: go now
                    self._start(slot)

    async def _answer(self, slot: int, items: list[_Item]) -> None:
        head: list[Any] = [len(items)]
        keys: list[str] = []
        args: list[Any] = []
        for k, a, _ in items:
            head += [len(k), len(a)]
            keys += k
            args += a
        try:
            replies = await self._send(slot, keys, head + args)
            if len(replies) != len(items):
                raise ResponseError("the script answered a different number of decisions")
        except asyncio.CancelledError:
            for _, _, future in items:
                future.cancel()
            raise
        except Exception as exc:
            for _, _, future in items:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), reply in zip(items, replies, strict=True):
            if not future.done():
                future.set_result(reply)

    async def drain(self) -> None:
        """Wait for every call in flight and for what is queued behind them."""
        while self._queue or self._tasks:
            if self._tasks:
                await asyncio.wait(set(self._tasks))
            else:
                await asyncio.sleep(0)
