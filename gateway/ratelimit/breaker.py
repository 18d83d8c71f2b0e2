"""Redis behind a timeout and a circuit breaker, with a local fallback.

The timeout is Redis's budget plus what the event loop's recent lag
(`obs/looplag.py`) adds to the loop turns a call crosses: under a load that
saturates the loop, replies are read late, and counting that against Redis
opened the breaker of a gateway whose Redis answered in a millisecond (seen
at 128 and 256 concurrent connections with the 50 ms default: every
sensitive route then answered 503 for `reset`).

Every call to Redis is bounded (`timeout`). After `failures` failures in a
row the breaker opens for `reset` seconds: calls go straight to the fallback
without waiting; then one call tries Redis again. While degraded, limits are
decided by a local in-memory store with a conservative `share` of each limit
(the stage applies it), sensitive routes fail closed (503), and every
degraded decision is counted and logged once per `LOG_EVERY` seconds. The
breaker's opening is logged once (`ratelimit_store_down`), not once per call
that was in flight when Redis went away.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisClusterException, RedisError

from gateway.obs.logging import get_logger
from gateway.obs.looplag import LAG

log = get_logger("gateway.ratelimit")
T = TypeVar("T")
LOG_EVERY = 10.0
TURNS = 5


def budget(timeout: float) -> float:
    """Seconds a Redis call may take now: Redis's `timeout` plus our own loop's
    delay. A decision crosses about TURNS turns of the loop (queued, sent,
    reply read, reader woken, caller resumed) and a saturated loop makes each
    turn late by about its recent lag; that is not Redis failing."""
    return timeout + TURNS * LAG.recent()


# what a call to Redis fails with: its errors, the socket's, the deadline
FAILURES = (RedisError, RedisClusterException, OSError, TimeoutError)


class StoreUnavailable(Exception):
    """Redis did not answer in time, failed, or the breaker is open."""


class Breaker:
    def __init__(self, timeout: float, failures: int, reset: float,
                 on_degraded: Callable[[str], None] = lambda kind: None) -> None:
        """`on_degraded(kind)`: told of each decision made without Redis (the
        holder counts them in metrics; the breaker knows no metrics)."""
        self.timeout = timeout
        self.on_degraded = on_degraded
        self.failures = failures
        self.reset = reset
        self._failed = 0
        self._open_until = 0.0
        self.degraded = 0  # decisions made without Redis since the last log line
        self._logged = 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._open_until

    async def call(self, fn: Callable[[], Awaitable[T]], bounded: bool = False) -> T:
        """`fn()` within `budget(timeout)`. With `bounded`, `fn` keeps to the
        budget itself (the Redis stores' `decide` and `observe`: one timer
        for every decision waiting, in `coalesce.py`, instead of one each)."""
        if self.open:
            raise StoreUnavailable
        try:
            if bounded:
                result = await fn()
            else:
                async with asyncio.timeout(budget(self.timeout)):
                    result = await fn()
        except FAILURES as exc:
            self.failed(exc)
            raise StoreUnavailable from None
        self.passed()
        return result

    def failed(self, exc: BaseException) -> None:
        """One call failed (`exc`, one of FAILURES): `failures` in a row open
        the breaker. For a caller that awaits Redis itself (the stage's one
        Redis path) as for `call`."""
        self._failed += 1
        if self._failed >= self.failures:
            if not self.open:  # calls in flight when it opened fail too: one line
                log.warning("ratelimit_store_down", error=type(exc).__name__,
                            retry_in_s=self.reset)
            self._open_until = time.monotonic() + self.reset

    def passed(self) -> None:
        """One call succeeded: the count of failures starts again."""
        if self._failed:
            if self._failed >= self.failures:
                log.info("ratelimit_store_back")
            self._failed = 0

    def note_degraded(self, kind: str) -> None:
        """Count one decision made without Redis; log the count now and then."""
        self.degraded += 1
        self.on_degraded(kind)
        now = time.monotonic()
        if now - self._logged >= LOG_EVERY:
            log.warning("ratelimit_degraded", decisions=self.degraded, breaker_open=self.open)
            self.degraded = 0
            self._logged = now
