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
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from gateway.obs.logging import get_logger
from gateway.ratelimit.store import Observed, Op

log = get_logger("gateway.ratelimit")

Send = Callable[[list[Op]], Awaitable[list[Observed]]]
Done = Callable[[Sequence[Observed] | None], Awaitable[None]]  # None: the call failed


def merged(ops: Sequence[Op]) -> tuple[list[Op], list[int]]:
    """`ops` with the counter updates of one key and window made one (members
    in order), and for each op of `ops` the index of the op that carries it."""
    out: list[Op] = []
    where: list[int] = []
    counters: dict[tuple[str, float], int] = {}
    members: dict[int, list[str]] = {}  # of the counter ops that took others in
    for op in ops:
        if op.kind != "count":
            where.append(len(out))
            out.append(op)
            continue
        at = counters.get((op.key, op.window))
        if at is None:
            counters[op.key, op.window] = at = len(out)
            out.append(op)
        else:
            members.setdefault(at, list(out[at].members)).extend(op.members)
        where.append(at)
    for at, names in members.items():
        out[at] = out[at]._replace(members=tuple(names))
    return out, where


class Batcher:
    def __init__(self, send: Send, most: int = 512) -> None:
        """`send(ops)`: one store call; `most`: ops per call at most."""
        self._send = send
        self._most = most
        self._queue: list[tuple[Sequence[Op], Done | None]] = []
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, ops: Sequence[Op], done: Done | None) -> None:
        """Queue `ops`; `done(results)` runs once the batch they joined is back
        (None: the results are not wanted)."""
        self._queue.append((ops, done))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        batch: list[tuple[Sequence[Op], Done | None]] = []
        size = 0
        queued, self._queue = self._queue, []
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
        return len(self._queue) + len(self._tasks)

    async def drain(self) -> None:
        """Send what is queued and wait for every batch in flight."""
        if self._queue:
            self._flush()
        while self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)
