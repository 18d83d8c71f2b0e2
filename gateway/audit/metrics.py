"""The audit writer's backlog on `/metrics`: records waiting in the queue, and
records held beyond it (with `on_full: unready`, the readiness check fails
while there are any). Read at scrape time from the live writers."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.obs.metrics import REGISTRY


class Backlogged(Protocol):
    def backlog(self) -> tuple[int, int]:
        """(records in the queue, records held beyond it)."""


_WRITERS: weakref.WeakSet[Backlogged] = weakref.WeakSet()


def track(writer: Backlogged) -> None:
    _WRITERS.add(writer)


class AuditBacklogCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        queued = GaugeMetricFamily("pgw_audit_queue_records",
                                   "Audit records waiting for the writer thread")
        held = GaugeMetricFamily("pgw_audit_overflow_records",
                                 "Audit records held beyond the full queue (on_full: unready)")
        writers = list(_WRITERS)
        if writers:
            queued.add_metric([], sum(w.backlog()[0] for w in writers))
            held.add_metric([], sum(w.backlog()[1] for w in writers))
        yield queued
        yield held


REGISTRY.register(AuditBacklogCollector())
