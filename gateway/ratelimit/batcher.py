"""Detector updates that need no answer before the response goes out, sent
together: every update submitted in one event-loop tick becomes one `observe`
call (one Redis round trip for all the requests of that tick), run in the
background. Counter updates of one key in one call are one op, their
members together (a client's responses of a tick: one counter update in
Redis, not one each); each of them is answered with the counters after all
of them. Each submitter gets its own results back (to fire detectors for
later requests), unless it has nothing to do with them (a response that
only counts). `drain()` waits for everything in flight: at shutdown no
count is lost.

Counts no one waits for (the probing detector's count of a response that is
no error: most responses) are added up in the process for up to `LINGER`
seconds, or `most` members, and go with the next call: the one the linger
ends, or sooner the tick's call of an update that wants its answer (an error
response), placed before it, so that update's counters include them. They go
as `add` ops, which Redis does not read back (unless merged into a `count`
of the same key). Per
response that is an append to a list, where each tick's call cost the
gateway and Redis a script call (bench/README.md). A probing window is
minutes long; another replica sees these counts at most `LINGER` late.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from gateway.obs.logging import get_logger
from gateway.ratelimit.store import Observed, Op

log = get_logger("gateway.ratelimit")

Send = Callable[[list[Op]], Awaitable[list[Observed]]]
LINGER = 0.05  # seconds counts that need no answer wait for others
Done = Callable[[Sequence[Observed] | None], Awaitable[None]]  # None: the call failed


def merged(ops: Sequence[Op]) -> tuple[list[Op], list[int]]:
    """`ops` with the counter updates of one key and window made one (members
    in order; a `count`, read back, if any of them was one, else an `add`),
    and for each op of `ops` the index of the op that carries it."""
    out: list[Op] = []
    where: list[int] = []
    counters: dict[tuple[str, float], int] = {}
    members: dict[int, list[str]] = {}  # of the counter ops that took others in
    for op in ops:
        if op.kind != "count" and op.kind != "add":
            where.append(len(out))
            out.append(op)
            continue
        at = counters.get((op.key, op.window))
        if at is None:
            counters[op.key, op.window] = at = len(out)
            out.append(op)
        else:
            members.setdefault(at, list(out[at].members)).extend(op.members)
            if op.kind == "count":  # someone reads this key's counters back
                out[at] = out[at]._replace(kind="count")
        where.append(at)
    for at, names in members.items():
        out[at] = out[at]._replace(members=tuple(names))
    return out, where


class Batcher:
    def __init__(self, send: Send, most: int = 512, linger: float = LINGER) -> None:
        """`send(ops)`: one store call; `most`: ops per call at most (and
        members added up before they go); `linger`: seconds counts no one
        waits for are added up."""
        self._send = send
        self._most = most
        self._linger = linger
        self._queue: list[tuple[Sequence[Op], Done | None]] = []
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        # counts no one waits for, by (key, window): their members, in order
        self._counts: dict[tuple[str, float], list[str]] = {}
        self._counted = 0  # members in `_counts`
        self._lingering: asyncio.TimerHandle | None = None

    def submit(self, ops: Sequence[Op], done: Done | None) -> None:
        """Queue `ops`; `done(results)` runs once the batch they joined is back
        (None: the results are not wanted)."""
        self._queue.append((ops, done))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def count(self, ops: Sequence[Op]) -> None:
        """Counter updates (`count` ops) no one waits for: added up, sent
        with the next call or when the linger ends (`LINGER`)."""
        counts = self._counts
        for op in ops:
            found = counts.get((op.key, op.window))
            if found is None:
                counts[op.key, op.window] = list(op.members)
            else:
                found.extend(op.members)
            self._counted += len(op.members)
        if self._counted >= self._most:  # enough for a call: with the next tick's
            if not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self._flush)
        elif self._lingering is None:
            self._lingering = asyncio.get_running_loop().call_later(self._linger, self._flush)

    def _added_up(self) -> list[tuple[Sequence[Op], Done | None]]:
        """The counts added up so far, as parts of at most `most` ops, and
        the linger ended."""
        if self._lingering is not None:
            self._lingering.cancel()
            self._lingering = None
        if not self._counts:
            return []
        ops = [Op("add", key, window, tuple(members))  # no one reads them back
               for (key, window), members in self._counts.items()]
        self._counts, self._counted = {}, 0
        return [(ops[at:at + self._most], None) for at in range(0, len(ops), self._most)]

    def _flush(self) -> None:
        self._scheduled = False
        batch: list[tuple[Sequence[Op], Done | None]] = []
        size = 0
        queued, self._queue = [*self._added_up(), *self._queue], []
        for ops, done in queued:
            if batch and size + len(ops) > self._most:
                self._start(batch)
                batch, size = [], 0
            batch.append((ops, done))
            size += len(ops)
        if batch:
            self._start(batch)

    def _start(self, batch: list[tuple[Sequence[Op], Done | None]]) -> None:
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[Sequence[Op], Done | None]]) -> None:
        ops, where = merged([op for part, _ in batch for op in part])
        try:
            sent = await self._send(ops)
            results: list[Observed] | None = [sent[i] for i in where]
        except Exception:
            results = None
        at = 0
        for part, done in batch:
            if done is None:
                at += len(part)
                continue
            try:
                await done(None if results is None else results[at:at + len(part)])
            except Exception as exc:
                log.warning("ratelimit_update_failed", error=type(exc).__name__)
            at += len(part)

    @property
    def pending(self) -> int:
        """Submissions queued, keys with counts added up, calls in flight."""
        return len(self._queue) + len(self._counts) + len(self._tasks)

    async def drain(self) -> None:
        """Send what is queued and added up, and wait for every batch in flight."""
        if self._queue or self._counts:
            self._flush()
        while self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)
