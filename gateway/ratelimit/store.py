"""The rate-limit store: one interface, in memory (one process) or in Redis.

A *decision* is atomic: penalties of the client's keys are read, then every
bucket is checked with GCRA (and its daily quota), and only when all admit
the request are they all updated. Detector state (distinct counts, counters,
sequential runs) and penalties have their own calls. Keys are HMACs of the
client's identity, never identity itself (`identity.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

DAY_OFFSET = 8 * 3600  # daily quotas reset at midnight China Standard Time (UTC+8)
# Seconds of float noise allowed at GCRA's boundary: decisions taken at the
# same instant (one script call) land exactly on it, and `now + interval`
# rounds at epoch magnitudes (~2e-7 s). The Redis script uses the same 1e-6.
GCRA_SLACK = 1e-6


Observed = int | dict[str, int]


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    rate: float  # requests per second
    burst: int
    quota: int = 0  # per day, 0: none


# Verdict, Op (and plan.Check) are named tuples: several are made for every
# request, and a named tuple is made in ~2.5x less time than a frozen dataclass.
class Verdict(NamedTuple):
    allowed: bool
    retry_after: float  # seconds, when denied
    remaining: tuple[int, ...]  # per bucket
    denied: int  # index of the bucket that denied, -1
    penalty: str = ""  # action of a penalty in force on one of the client's keys
    penalty_ttl: float = 0.0
    quota_hit: bool = False
    observed: tuple[Observed, ...] = ()  # results of the ops that rode along


class Op(NamedTuple):
    """One detector update: `distinct` (add `members`, the window's distinct
    count), `count` (add one to each of `members`, all counters of the
    window), `add` (as `count`, its result 0: counts no one reads back,
    the batcher's added-up ones) or `run` (the run of consecutive values
    ending at `value`)."""

    kind: str
    key: str
    window: float
    members: tuple[str, ...] = ()
    value: int = 0


@dataclass(frozen=True, slots=True)
class Penalty:
    key: str
    action: str
    reason: str
    ttl: float


class LimitStore(Protocol):
    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        """Penalty values are `action[:factor]|reason` (`penalize`); `ops` are
        observed in the same round trip (`Verdict.observed`), whatever the
        verdict. A store across a network answers or raises TimeoutError
        within `breaker.budget` of its timeout."""

    async def observe(self, ops: Sequence[Op]) -> list[Observed]:
        """Every op in one round trip, results in order; bounded as `decide`."""

    async def penalize(self, key: str, action: str, reason: str, seconds: float) -> None: ...

    async def penalties(self) -> list[Penalty]: ...

    async def lift(self, key: str) -> bool: ...

    async def close(self) -> None: ...


def gcra(tat: float, now: float, rate: float, burst: int) -> tuple[bool, float, int, float]:
    """(allowed, new TAT, remaining, retry after), times in seconds. The
    same arithmetic as the Redis script."""
    interval = 1.0 / rate
    tolerance = interval * burst + GCRA_SLACK
    tat = max(tat, now)
    new_tat = tat + interval
    if new_tat - now > tolerance:
        return False, tat, 0, max(new_tat - now - tolerance, GCRA_SLACK)
    return True, new_tat, max(0, int((tolerance - (new_tat - now)) / interval)), 0.0


def day_index(now: float) -> int:
    return int((now + DAY_OFFSET) // 86400)


def seconds_to_midnight(now: float) -> float:
    return 86400 - (now + DAY_OFFSET) % 86400
