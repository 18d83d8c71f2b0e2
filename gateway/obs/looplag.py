"""How late this process's event loop has lately been running its callbacks.

The lag probe (`server/runtime.py`) records each measurement here besides the
histogram on /metrics. A deadline on a call to another service counts our
own loop's delay as well as the service's: on a saturated loop (hundreds of
requests in flight) a reply that arrived in a millisecond waits tens of
milliseconds to be read. Code that judges another service by its deadline
(the rate limiter's breaker) adds `recent()` to it, so a busy gateway does
not declare a healthy Redis dead.
"""

from __future__ import annotations


class LoopLag:
    __slots__ = ("_last", "_previous")

    def __init__(self) -> None:
        self._last = 0.0
        self._previous = 0.0

    def observe(self, seconds: float) -> None:
        self._previous, self._last = self._last, max(0.0, seconds)

    def recent(self) -> float:
        """The larger of the last two measurements (the probe runs every
        0.25 s: half a second of history)."""
        return max(self._last, self._previous)


LAG = LoopLag()
