"""The in-memory store's keys and values, and the arithmetic over them.

`Table` is the reference: the native core's `LimitTable` (gateway/native/
limits.pxi) does the same work in C with the same answers, and is used when
the core is (`memory.py`); tests/ratelimit/test_table.py holds the two to
that. Times are the caller's clock (seconds); a table never reads one.

A key's entry is updated in place. A detector's window is one entry that
ends with its window (the same fixed windows as the Redis script; no key per
window); a bucket's entry outlives its TAT by a second; a run lives `window`
past its last value. Expired entries are replaced on use and swept every
10,000 new entries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from gateway.ratelimit.admission import Admitted, ClientLimits, admit
from gateway.ratelimit.store import (
    Bucket,
    Observed,
    Op,
    Verdict,
    day_index,
    gcra,
    seconds_to_midnight,
)

SWEEP_EVERY = 10_000  # new entries


class _Entry:
    __slots__ = ("expires", "value")

    def __init__(self, value: object, expires: float) -> None:
        self.value = value
        self.expires = expires


class Table:
    def __init__(self) -> None:
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
        if self._made % SWEEP_EVERY == 0:
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

    def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
               ops: Sequence[Op], now: float) -> Verdict:
        """`LimitStore.decide` at `now`: the ops first (they count whatever
        the verdict), then penalties, then every bucket, all or nothing."""
        observed = tuple(self.observe(ops, now))
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
                           penalty_ttl, False, observed)
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
                               False, observed)
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
        return Verdict(True, 0.0, tuple(remaining), -1, penalty, penalty_ttl, False, observed)

    def admit(self, c: ClientLimits, path: str, now: float) -> Admitted | None:
        """admission.admit: a request's enumeration updates and decision."""
        return admit(self, c, path, now)

    def observe(self, ops: Sequence[Op], now: float) -> list[Observed]:
        results: list[Observed] = []
        for op in ops:
            kind = op.kind
            if kind == "distinct":
                seen: set[str] = self._window(op.key, op.window, now, set).value  # type: ignore[assignment]
                seen.update(op.members)
                results.append(len(seen))
            elif kind == "count" or kind == "add":
                counters: dict[str, int] = self._window(op.key, op.window, now, dict).value  # type: ignore[assignment]
                for name in op.members:
                    counters[name] = counters.get(name, 0) + 1
                results.append(dict(counters) if kind == "count" else 0)
            else:
                results.append(self._run(op.key, op.value, op.window, now))
        return results

    def _run(self, key: str, value: int, window: float, now: float) -> int:
        entry = self._live(key, now)
        if entry is None:
            self._new(key, (value, 1), now + window, now)
            return 1
        run: tuple[int, int] = entry.value  # type: ignore[assignment]
        last, length = run
        length = length + 1 if abs(value - last) == 1 else length if value == last else 1
        entry.value, entry.expires = (value, length), now + window
        return length

    def put(self, key: str, value: str, expires: float, now: float) -> None:
        """A penalty: `value` until `expires`, whatever the key held."""
        self._new(key, value, expires, now)

    def find(self, prefix: str, now: float) -> list[tuple[str, str, float]]:
        """(key, value, expires) of the live text entries under `prefix` (penalties)."""
        return [(k, e.value, e.expires) for k, e in self._data.items()
                if k.startswith(prefix) and e.expires > now and isinstance(e.value, str)]

    def pop(self, key: str) -> bool:
        return self._data.pop(key, None) is not None
