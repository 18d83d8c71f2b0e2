"""Decisions asked for while their lane's exchange is out, sent together:
one script call per hash slot, the calls of one lane in one write.

Under load many requests ask for a decision between two turns of the event
loop; each was its own `EVALSHA` (redis-py's per-call work and a round of
syscalls on both sides). Queued per lane (one Redis: one lane; a cluster: a
lane per master), they go as one exchange: per hash slot one call of the
many-decisions script (`lua.DECIDE`), which takes them one after another,
exactly as separate calls would, and all the lane's calls in one write
(a cluster's clients are in many slots: a call each, one round trip for
all). Each caller gets its own reply. A lane has one exchange out at a
time: what is asked while it is out waits for its reply and then goes at
once, together, so the busier the gateway the fewer round trips per
decision; an idle gateway sends at the end of the tick, as before. At most
`most` decisions per exchange. A caller that stops waiting leaves an
exchange that went to finish for the others, and is left out of one that
has not gone yet; a call that fails fails every caller in it, an exchange
that fails every caller in it.

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
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from redis.exceptions import ResponseError

from gateway.ratelimit.breaker import budget

Call = tuple[int, list[str], list[Any]]  # slot, keys, arguments of one script call
# the replies of each call in order: its list of replies, or its error
Send = Callable[[Hashable, list[Call]], Awaitable[list[Any]]]
_Item = tuple[int, list[str], list[Any], "asyncio.Future[list[Any]]"]
SWEEP = 0.005  # seconds between looks for late decisions (at most a tenth of the timeout)


class Coalescer:
    def __init__(self, send: Send, timeout: float | None, most: int = 64) -> None:
        """`send(lane, calls)`: one exchange of many-decisions script calls
        (each call's keys in its slot), answered call by call with a list of
        replies or an exception; `timeout`: Redis's (None: callers wait as
        long as their exchange takes)."""
        self._send = send
        self._timeout = timeout
        self._most = most
        self._waiting: list[tuple[float, asyncio.Future[list[Any]]]] = []
        self._sweeper: asyncio.TimerHandle | None = None
        self._clock = 0.0  # the sweeps' clock: seconds, our loop's lateness left out
        self._swept = 0.0  # loop time of the last sweep (or of the sweeper's start)
        self._queue: dict[Hashable, list[_Item]] = {}
        self._out: dict[Hashable, int] = {}  # exchanges out per lane
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def call(self, lane: Hashable, slot: int, keys: list[str],
                   args: list[Any]) -> list[Any]:
        """One decision's reply: `keys` (all in `slot`, on `lane`) and `args`
        as the one-decision script reads them."""
        return await self.submit(lane, slot, keys, args)

    def submit(self, lane: Hashable, slot: int, keys: list[str],
               args: list[Any]) -> asyncio.Future[list[Any]]:
        """`call` without a coroutine: the future of the reply (a request's
        slot groups on a cluster are awaited together, no task each)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        self._queue.setdefault(lane, []).append((slot, keys, args, future))
        if not self._scheduled and lane not in self._out:
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
        for lane in [n for n in self._queue if n not in self._out]:
            self._start(lane)

    def _start(self, lane: Hashable) -> None:
        """Send what the lane has queued: one exchange, or one per `most`
        decisions (in parallel)."""
        items = [i for i in self._queue.pop(lane) if not i[3].done()]  # no one waits: not sent
        loop = asyncio.get_running_loop()
        for at in range(0, len(items), self._most):
            self._out[lane] = self._out.get(lane, 0) + 1
            task = loop.create_task(self._run(lane, items[at:at + self._most]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, lane: Hashable, items: list[_Item]) -> None:
        try:
            await self._answer(lane, items)
        finally:
            self._out[lane] -= 1
            if not self._out[lane]:
                del self._out[lane]
                if lane in self._queue:  # asked while the exchange was out: go now
                    self._start(lane)

    async def _answer(self, lane: Hashable, items: list[_Item]) -> None:
        groups: dict[int, list[_Item]] = {}
        for item in items:
            groups.setdefault(item[0], []).append(item)
        calls = [_call(slot, group) for slot, group in groups.items()]
        try:
            results = await self._send(lane, calls)
            if len(results) != len(calls):
                raise ResponseError("the exchange answered a different number of calls")
        except asyncio.CancelledError:
            for item in items:
                item[3].cancel()
            raise
        except Exception as exc:
            _fail(items, exc)
            return
        for group, replies in zip(groups.values(), results, strict=True):
            if isinstance(replies, Exception):
                _fail(group, replies)
            elif len(replies) != len(group):
                _fail(group, ResponseError("the script answered a different number of "
                                           "decisions"))
            else:
                for item, reply in zip(group, replies, strict=True):
                    if not item[3].done():
                        item[3].set_result(reply)

    async def drain(self) -> None:
        """Wait for every call in flight and for what is queued behind them."""
        while self._queue or self._tasks:
            if self._tasks:
                await asyncio.wait(set(self._tasks))
            else:
                await asyncio.sleep(0)


async def in_turn(futures: list[asyncio.Future[Any]]) -> list[Any]:
    """The results of calls already sent or queued, awaited in turn (all in
    flight together; `asyncio.gather` would add a task's bookkeeping a call).
    When one fails or the caller is cancelled, the others are cancelled (a
    call not yet sent is left out, a reply still to come is dropped) and
    their errors read."""
    try:
        return [await future for future in futures]
    except BaseException:
        for future in futures:
            if not future.cancel() and not future.cancelled():
                future.exception()  # read: no "never retrieved" warning
        raise


def _call(slot: int, group: list[_Item]) -> Call:
    """One call of the many-decisions script: the decisions' count, each one's
    key and argument counts, then their keys and arguments in order."""
    head: list[Any] = [len(group)]
    keys: list[str] = []
    args: list[Any] = []
    for _, k, a, _ in group:
        head += [len(k), len(a)]
        keys += k
        args += a
    return slot, keys, head + args


def _fail(items: list[_Item], exc: Exception) -> None:
    for item in items:
        if not item[3].done():
            item[3].set_exception(exc)
