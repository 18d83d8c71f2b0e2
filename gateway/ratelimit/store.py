"""The rate-limit store: one interface, in memory (one process) or in Redis.

A *decision* is atomic: penalties of the client's keys are read, then every
bucket is checked with GCRA (and its daily quota), and only when all admit
the request are they all updated. Detector state (distinct counts, counters,
sequential runs) and penalties have their own calls. Keys are HMACs of the
client's identity, never identity itself (`identity.py`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
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
    window) or `run` (the run of consecutive values ending at `value`)."""

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


class _Entry:
    """A key's value and when it expires. Updated in place: a request's
    counts allocate nothing once its keys exist."""

    __slots__ = ("expires", "value")

    def __init__(self, value: object, expires: float) -> None:
        self.value = value
        self.expires = expires


class MemoryStore:
    """One process. A detector's window is one entry that ends with its
    window (no key per window); a bucket's entry outlives its TAT by a second.
    Expired entries are replaced on use and swept every 10,000 new entries."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._data: dict[str, _Entry] = {}
        self._made = 0

    def __len__(self) -> int:
        """Entries held, expired ones until they are swept."""
        return len(self._data)

    def _live(self, key: str, now: float) -> _Entry | None:
        entry = self._data.get(key)
        return entry if entry is not None and entry.expires > now else None

    def _new(self, key: str, value: object, expires: float, now: float) -> _Entry:
        entry = self._data[key] = _Entry(value, expires)
        self._made += 1
        if self._made % 10000 == 0:
            self._data = {k: e for k, e in self._data.items() if e.expires > now}
        return entry

    def _window(self, key: str, window: float, now: float, empty: Callable[[], object]
                ) -> _Entry:
        """The entry of the fixed window `now` falls in, made empty when the
        window is new (the last one's entry expired at its end)."""
        entry = self._live(key, now)
        if entry is None:
            end = (math.floor(now / window) + 1) * window
            entry = self._new(key, empty(), end if end > now else now + window, now)
        return entry

    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        now = self.clock()
        return self._decide(buckets, penalty_keys, tuple(self._observe(ops, now)), now)

    def _decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                observed: tuple[Observed, ...], now: float) -> Verdict:
        penalty, penalty_ttl, factor = "", 0.0, 1
        for key in penalty_keys:
            entry = self._live(key, now)
            if entry is not None:
                head = str(entry.value).partition("|")[0]
                penalty, _, f = head.partition(":")
                factor, penalty_ttl = int(f or 1), entry.expires - now
                break
        if penalty == "ban":
            return Verdict(False, penalty_ttl, tuple(0 for _ in buckets), -1, penalty,
                           penalty_ttl, observed=observed)
        updates: list[tuple[Bucket, _Entry | None, float]] = []
        remaining: list[int] = []
        for i, b in enumerate(buckets):
            rate, burst = ((b.rate / factor, 1) if penalty == "throttle"
                           else (b.rate, b.burst))
            entry = self._live(b.key, now)
            tat: float = entry.value if entry is not None else now  # type: ignore[assignment]
            ok, new_tat, left, retry = gcra(tat, now, rate, burst)
            if ok and b.quota:
                used = self._live(f"{b.key}:q{day_index(now)}", now)
                if used is not None and used.value >= b.quota:  # type: ignore[operator]
                    return Verdict(False, seconds_to_midnight(now), tuple(remaining), i,
                                   penalty, penalty_ttl, True, observed)
            if not ok:
                return Verdict(False, retry, tuple(remaining), i, penalty, penalty_ttl,
                               observed=observed)
            updates.append((b, entry, new_tat))
            remaining.append(left)
        for b, entry, new_tat in updates:
            if entry is None:
                self._new(b.key, new_tat, new_tat + 1, now)
            else:
                entry.value, entry.expires = new_tat, new_tat + 1
            if b.quota:
                qkey = f"{b.key}:q{day_index(now)}"
                used = self._live(qkey, now)
                if used is None:
                    self._new(qkey, 1, now + seconds_to_midnight(now) + 60, now)
                else:
                    used.value += 1  # type: ignore[operator]
        return Verdict(True, 0.0, tuple(remaining), -1, penalty, penalty_ttl, observed=observed)

    async def observe(self, ops: Sequence[Op]) -> list[Observed]:
        return self._observe(ops, self.clock())

    def _observe(self, ops: Sequence[Op], now: float) -> list[Observed]:
        results: list[Observed] = []
        for op in ops:
            kind = op.kind
            if kind == "distinct":
                seen: set[str] = self._window(op.key, op.window, now, set).value  # type: ignore[assignment]
                seen.update(op.members)
                results.append(len(seen))
            elif kind == "count":
                counters: dict[str, int] = self._window(op.key, op.window, now, dict).value  # type: ignore[assignment]
                for name in op.members:
                    counters[name] = counters.get(name, 0) + 1
                results.append(dict(counters))
            else:
                results.append(self._run(op.key, op.value, op.window, now))
        return results

    def _run(self, key: str, value: int, window: float, now: float) -> int:
        """Sliding: a run lives `window` past its last value."""
        entry = self._live(key, now)
        if entry is None:
            self._new(key, (value, 1), now + window, now)
            return 1
        run: tuple[int, int] = entry.value  # type: ignore[assignment]
        last, length = run
        length = length + 1 if abs(value - last) == 1 else length if value == last else 1
        entry.value, entry.expires = (value, length), now + window
        return length

    async def penalize(self, key: str, action: str, reason: str, seconds: float) -> None:
        now = self.clock()
        self._new(key, f"{action}|{reason}", now + seconds, now)

    async def penalties(self) -> list[Penalty]:
        now = self.clock()
        return [Penalty(k, str(e.value).partition("|")[0].partition(":")[0],
                        str(e.value).partition("|")[2], round(e.expires - now, 1))
                for k, e in self._data.items() if k.startswith("pgw:pen:") and e.expires > now]

    async def lift(self, key: str) -> bool:
        return self._data.pop(key, None) is not None

    async def close(self) -> None:
        return None
