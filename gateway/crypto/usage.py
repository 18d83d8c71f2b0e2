"""How many times each data key has encrypted, across restarts and workers.

AES-GCM with random 96-bit nonces stays safe for about 2^32 encryptions per
key (NIST SP 800-38D, 8.3). The gateway warns at `WARN_AT` and refuses to
encrypt at `REFUSE_AT`, naming the rotation command.

Counts live in a small JSON file (`keys.usage_file`, on a writable volume: the
key store itself may be mounted read-only). Each process counts in memory and
adds its new uses to the file under an exclusive lock every few seconds and at
shutdown, so several workers add up. Between two flushes a process sees the
others' uses as of its last flush: the lag is bounded by what the workers
encrypt in one interval, far below the 3 * 2^30 gap between warning and
refusal.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from gateway.errors import GatewayError
from gateway.obs.logging import get_logger
from gateway.obs.metrics import REGISTRY

WARN_AT = 2**30
REFUSE_AT = 2**32
log = get_logger("gateway.keys")


class KeyExhausted(GatewayError):
    """The key reached its encryption limit: nothing more is encrypted under it
    (503) until the key is rotated."""

    status = 503
    code = "key_exhausted"

    def __init__(self, kid: str, purpose: str) -> None:
        super().__init__(kid, purpose)
        self.kid = kid
        self.purpose = purpose
        self.message = (f"encryption key {kid} reached its limit of {REFUSE_AT} uses; an "
                        f"operator must run `pii-gateway keys rotate --purpose {purpose}` "
                        "and reload the policy")


def read_usage(path: Path | None) -> dict[str, int]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}
    uses = data.get("uses", {}) if isinstance(data, dict) else {}
    return {str(k): int(v) for k, v in uses.items() if isinstance(v, int)}


class KeyUsage:
    """One per usage file per process (`usage_for`), shared by policy reloads."""

    def __init__(self, path: Path | None, warn_at: int = WARN_AT,
                 refuse_at: int = REFUSE_AT) -> None:
        self.path = path
        self.warn_at = warn_at
        self.refuse_at = refuse_at
        self._base: dict[str, int] = read_usage(path)
        self.pending: Counter[str] = Counter()
        self._warned: set[str] = set()
        self._lock = threading.Lock()  # inspections of large bodies run on threads
        self.unsaved = False

    def kids(self) -> set[str]:
        with self._lock:
            return set(self._base) | set(self.pending)

    def total(self, kid: str) -> int:
        return self._base.get(kid, 0) + self.pending[kid]

    def count(self, kid: str, purpose: str, limited: bool) -> None:
        """Record one encryption under `kid`; KeyExhausted when a limited
        (AES-GCM) key has reached its limit."""
        with self._lock:
            total = self.total(kid)
            if limited and total >= self.refuse_at:
                raise KeyExhausted(kid, purpose)
            self.pending[kid] += 1
        if limited and total + 1 >= self.warn_at and kid not in self._warned:
            self._warned.add(kid)
            log.warning("key_usage_high", kid=kid, purpose=purpose, uses=total + 1,
                        limit=self.refuse_at,
                        action=f"pii-gateway keys rotate --purpose {purpose}")

    def add(self, uses: dict[str, int]) -> None:
        """Uses counted elsewhere (a child process) for this process to save."""
        with self._lock:
            self.pending.update(uses)

    def take(self) -> dict[str, int]:
        with self._lock:
            taken = dict(self.pending)
            self.pending.clear()
        return taken

    def flush(self) -> None:
        """Add pending uses to the file and re-read everyone's totals."""
        if self.path is None:
            return
        with self._lock:
            pending = dict(self.pending)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            with os.fdopen(fd, "r+", encoding="utf-8") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                try:
                    data = json.loads(f.read() or "{}")
                    uses = Counter({str(k): int(v) for k, v in data.get("uses", {}).items()})
                except (ValueError, AttributeError, TypeError):
                    uses = Counter()
                uses.update(pending)
                f.seek(0)
                f.truncate()
                json.dump({"version": 1, "uses": dict(uses)}, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            if not self.unsaved:
                log.warning("key_usage_unsaved", error=type(exc).__name__)
            self.unsaved = True
            return
        with self._lock:
            self.pending.subtract(pending)
            self.pending = +self.pending
            self._base = dict(uses)
        self.unsaved = False


_USAGE: dict[Path | None, KeyUsage] = {}


def usage_for(path: Path | None) -> KeyUsage:
    """The process's counter for a usage file (reloads keep counting)."""
    key = path.resolve() if path is not None else None
    if key not in _USAGE:
        _USAGE[key] = KeyUsage(key)
    return _USAGE[key]


def all_usage() -> list[KeyUsage]:
    return list(_USAGE.values())


class KeyUseCollector(Collector):
    """Encryptions per key id (this process's view of the shared usage file)."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("pgw_key_uses", "Encryptions per data key id", labels=["kid"])
        totals: dict[str, int] = {}
        for usage in all_usage():
            for kid in usage.kids():
                totals[kid] = totals.get(kid, 0) + usage.total(kid)
        for kid, total in sorted(totals.items()):
            family.add_metric([kid], total)
        yield family


REGISTRY.register(KeyUseCollector())
