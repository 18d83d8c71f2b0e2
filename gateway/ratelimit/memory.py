"""The store in this process: a table of keys (`table.py`), in the native
core when it is used (the same answers, less work a request), on a clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from gateway.native import core
from gateway.ratelimit.admission import Admitted, ClientLimits
from gateway.ratelimit.store import DAY_OFFSET, GCRA_SLACK, Bucket, Observed, Op, Penalty, Verdict
from gateway.ratelimit.table import SWEEP_EVERY, Table

PENALTY_PREFIX = "pgw:pen:"


def new_table() -> Table:
    """The native core's table when the core is used, else the reference."""
    if core is not None:
        table: Table = core.LimitTable(Verdict, GCRA_SLACK, DAY_OFFSET, SWEEP_EVERY)
        return table
    return Table()


class MemoryStore:
    """One process: counts are lost on restart and not shared between
    workers or replicas (Redis is for that)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._table = new_table()

    def __len__(self) -> int:
        """Entries held, expired ones until they are swept."""
        return len(self._table)

    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        return self._table.decide(buckets, penalty_keys, ops, self.clock())

    async def observe(self, ops: Sequence[Op]) -> list[Observed]:
        return self.observe_now(ops)

    # In this process a decision needs no await: the limit stage calls these
    # two directly (no coroutine a request).
    def admit(self, c: ClientLimits, path: str) -> Admitted | None:
        """A request without a query string, decided in one call (admission.py);
        None: take the general path."""
        return self._table.admit(c, path, self.clock())

    def observe_now(self, ops: Sequence[Op]) -> list[Observed]:
        return self._table.observe(ops, self.clock())

    async def penalize(self, key: str, action: str, reason: str, seconds: float) -> None:
        now = self.clock()
        self._table.put(key, f"{action}|{reason}", now + seconds, now)

    async def penalties(self) -> list[Penalty]:
        now = self.clock()
        found = []
        for key, value, expires in self._table.find(PENALTY_PREFIX, now):
            head, _, reason = value.partition("|")
            found.append(Penalty(key, head.partition(":")[0], reason, round(expires - now, 1)))
        return found

    async def lift(self, key: str) -> bool:
        return self._table.pop(key)

    async def close(self) -> None:
        return None
