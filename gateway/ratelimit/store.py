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
from dataclasses import dataclass, field
from typing import Protocol

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


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: float  # seconds, when denied
    remaining: tuple[int, ...]  # per bucket
    denied: int  # index of the bucket that denied, -1
    penalty: str = ""  # action of a penalty in force on one of the client's keys
    penalty_ttl: float = 0.0
    quota_hit: bool = False
    observed: tuple[Observed, ...] = ()  # results of the ops that rode along


@dataclass(frozen=True, slots=True)
class Op:
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


@dataclass(slots=True)
class _Entry:
    value: object
    expires: float


@dataclass
class MemoryStore:
    """One process. Entries expire lazily and in a sweep every 10,000 writes."""

    clock: Callable[[], float] = field(default=time.time)
    _data: dict[str, _Entry] = field(default_factory=dict)
    _writes: int = 0

    def _now(self) -> float:
        return self.clock()

    def _get(self, key: str, now: float) -> object | None:
        entry = self._data.get(key)
        if entry is None or entry.expires <= now:
            return None
        return entry.value

    def _set(self, key: str, value: object, ttl: float, now: float) -> None:
        self._data[key] = _Entry(value, now + ttl)
        self._writes += 1
        if self._writes % 10000 == 0:
            self._data = {k: e for k, e in self._data.items() if e.expires > now}

    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        now = self._now()
        return self._decide(buckets, penalty_keys, tuple(self._observe(ops, now)), now)

    def _decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                observed: tuple[Observed, ...], now: float) -> Verdict:
        penalty, penalty_ttl, factor = "", 0.0, 1
        for key in penalty_keys:
            entry = self._data.get(key)
            if entry is not None and entry.expires > now:
                head = str(entry.value).partition("|")[0]
                penalty, _, f = head.partition(":")
                factor, penalty_ttl = int(f or 1), entry.expires - now
                break
        if penalty == "ban":
            return Verdict(False, penalty_ttl, tuple(0 for _ in buckets), -1, penalty,
                           penalty_ttl, observed=observed)
        updates: list[tuple[str, float, float]] = []
        remaining: list[int] = []
        for i, b in enumerate(buckets):
            rate, burst = ((b.rate / factor, 1) if penalty == "throttle"
                           else (b.rate, b.burst))
            tat = self._get(b.key, now)
            ok, new_tat, left, retry = gcra(float(tat) if tat is not None else now, now,  # type: ignore[arg-type]
                                            rate, burst)
            if ok and b.quota:
                used = self._get(f"{b.key}:q{day_index(now)}", now)
                if int(used or 0) >= b.quota:  # type: ignore[call-overload]
                    return Verdict(False, seconds_to_midnight(now), tuple(remaining), i,
                                   penalty, penalty_ttl, True, observed)
            if not ok:
                return Verdict(False, retry, tuple(remaining), i, penalty, penalty_ttl,
                               observed=observed)
            updates.append((b.key, new_tat, new_tat - now + 1))
            remaining.append(left)
        for (key, new_tat, ttl), b in zip(updates, buckets, strict=True):
            self._set(key, new_tat, ttl, now)
            if b.quota:
                qkey = f"{b.key}:q{day_index(now)}"
                self._set(qkey, int(self._get(qkey, now) or 0) + 1,  # type: ignore[call-overload]
                          seconds_to_midnight(now) + 60, now)
        return Verdict(True, 0.0, tuple(remaining), -1, penalty, penalty_ttl, observed=observed)

    def _window_key(self, key: str, window: float, now: float) -> str:
        return f"{key}:w{math.floor(now / window)}"

    async def observe(self, ops: Sequence[Op]) -> list[Observed]:
        return self._observe(ops, self._now())

    def _observe(self, ops: Sequence[Op], now: float) -> list[Observed]:
        results: list[Observed] = []
        for op in ops:
            if op.kind == "distinct":
                results.append(self._distinct(op.key, op.members, op.window, now))
            elif op.kind == "count":
                results.append(self._count(op.key, op.members, op.window, now))
            else:
                results.append(self._run(op.key, op.value, op.window, now))
        return results

    def _distinct(self, key: str, members: Sequence[str], window: float, now: float) -> int:
        wkey = self._window_key(key, window, now)
        seen = self._get(wkey, now)
        values: set[str] = seen if isinstance(seen, set) else set()
        values.update(members)
        self._set(wkey, values, window, now)
        return len(values)

    def _count(self, key: str, fields: Sequence[str], window: float,
               now: float) -> dict[str, int]:
        wkey = self._window_key(key, window, now)
        found = self._get(wkey, now)
        counters: dict[str, int] = found if isinstance(found, dict) else {}
        for name in fields:
            counters[name] = counters.get(name, 0) + 1
        self._set(wkey, counters, window, now)
        return dict(counters)

    def _run(self, key: str, value: int, window: float, now: float) -> int:
        last = self._get(key, now)
        length = 1
        if isinstance(last, tuple) and abs(value - last[0]) == 1:
            length = last[1] + 1
        elif isinstance(last, tuple) and value == last[0]:
            length = last[1]
        self._set(key, (value, length), window, now)
        return length

    async def penalize(self, key: str, action: str, reason: str, seconds: float) -> None:
        now = self._now()
        self._set(key, f"{action}|{reason}", seconds, now)

    async def penalties(self) -> list[Penalty]:
        now = self._now()
        return [Penalty(k, str(e.value).partition("|")[0].partition(":")[0],
                        str(e.value).partition("|")[2], round(e.expires - now, 1))
                for k, e in self._data.items() if k.startswith("pgw:pen:") and e.expires > now]

    async def lift(self, key: str) -> bool:
        return self._data.pop(key, None) is not None

    async def close(self) -> None:
        return None
