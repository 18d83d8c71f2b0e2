"""What a reload replaced, closed a while later: the calls still on it finish.

The upstream pools (`proxy/forward.py`) and the rate-limit store
(`ratelimit/limiter.py`) both hand what a new policy no longer uses to a
`Retiring`: it is closed `delay` seconds later, or at shutdown if that comes
first. A close that fails is logged by its exception's type only (never a
message, which could hold what the thing was talking to).
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from gateway.obs.logging import get_logger

log = get_logger("gateway.retiring")


class Closable(Protocol):
    async def close(self) -> None: ...


class Retiring:
    def __init__(self, what: str) -> None:
        """`what`: named in the log line of a close that fails."""
        self._what = what
        self._waiting: dict[asyncio.Task[None], Closable] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, thing: Closable, delay: float) -> None:
        """Close `thing` `delay` seconds from now (in the running loop)."""
        task = asyncio.create_task(_close_later(thing, delay))
        self._waiting[task] = thing
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._waiting.pop(task, None)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.warning("retired_close_failed", what=self._what, error=type(error).__name__)

    async def close(self) -> None:
        """Close at once everything still waiting for its delay."""
        waiting, self._waiting = self._waiting, {}
        for task, thing in waiting.items():
            task.cancel()
            await thing.close()


async def _close_later(thing: Closable, delay: float) -> None:
    await asyncio.sleep(delay)
    await thing.close()
