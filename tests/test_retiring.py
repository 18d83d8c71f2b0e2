"""What a reload replaced is closed after a delay, or at shutdown (retiring.py)."""

from __future__ import annotations

import asyncio
import io
import json

from gateway.obs.logging import configure_logging, flush_logs
from gateway.retiring import Retiring


class _Thing:
    def __init__(self, fails: bool = False) -> None:
        self.closed = 0
        self.fails = fails

    async def close(self) -> None:
        self.closed += 1
        if self.fails:
            raise OSError("10.0.0.7:6379 refused")  # a message that names a peer


async def test_closed_after_the_delay_then_forgotten() -> None:
    retiring = Retiring("pool")
    thing = _Thing()
    retiring.add(thing, 0.05)
    await asyncio.sleep(0.01)
    assert thing.closed == 0 and len(retiring) == 1  # calls still on it finish first
    await asyncio.sleep(0.1)
    assert thing.closed == 1 and len(retiring) == 0
    await retiring.close()
    assert thing.closed == 1  # not twice


async def test_shutdown_closes_at_once_what_still_waits() -> None:
    retiring = Retiring("pool")
    things = [_Thing(), _Thing()]
    for thing in things:
        retiring.add(thing, 60)
    await retiring.close()
    assert [t.closed for t in things] == [1, 1] and len(retiring) == 0
    await asyncio.sleep(0.01)
    assert [t.closed for t in things] == [1, 1]  # the cancelled delays close nothing


async def test_a_close_that_fails_is_logged_by_its_type_only() -> None:
    lines = io.StringIO()
    configure_logging("json", "info", stream=lines)
    retiring = Retiring("rate-limit store")
    retiring.add(_Thing(fails=True), 0)
    await asyncio.sleep(0.05)
    flush_logs()
    records = [json.loads(line) for line in lines.getvalue().splitlines()]
    failed = [r for r in records if r["event"] == "retired_close_failed"]
    assert [(r["what"], r["error"]) for r in failed] == [("rate-limit store", "OSError")]
    assert "10.0.0.7" not in lines.getvalue()
