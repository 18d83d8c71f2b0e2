"""The audit backlog gauges read the live writers at scrape time."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from gateway.audit.metrics import track
from gateway.obs.metrics import render


class Writer:
    def __init__(self, queued: int, held: int) -> None:
        self.queued, self.held = queued, held

    def backlog(self) -> tuple[int, int]:
        return self.queued, self.held


def gauges() -> dict[str, float]:
    return {s.name: s.value for f in text_string_to_metric_families(render().decode())
            for s in f.samples if s.name.startswith("pgw_audit_")}


def test_backlog_of_the_live_writers() -> None:
    before = gauges()
    first, second = Writer(3, 0), Writer(2, 5)
    track(first)
    track(second)
    after = gauges()
    assert after["pgw_audit_queue_records"] == before.get("pgw_audit_queue_records", 0) + 5
    assert after["pgw_audit_overflow_records"] == before.get("pgw_audit_overflow_records", 0) + 5
    del first, second  # a writer that is gone no longer counts
    assert gauges() == before
