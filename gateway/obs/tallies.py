"""Per-request metrics kept as plain tallies, turned into Prometheus samples at scrape time.

prometheus-client's Counter and Histogram take a lock and check their labels on
every update; a request updates seven to fifteen of them. These tallies are
dicts keyed by the label values, updated on the event loop only (one thread:
no lock), and a Collector renders them when /metrics is scraped, with the same
names, labels and bucket rules a Counter or Histogram would have.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

# prometheus-client's default buckets (seconds), for latency histograms.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
                   10.0)


class Tally(Collector):
    """A counter: `add(labels, n)`, where labels is a tuple in `labelnames` order."""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str]) -> None:
        self.name, self.documentation = name, documentation
        self.labelnames = tuple(labelnames)
        self.values: dict[tuple[str, ...], float] = {}

    def add(self, labels: tuple[str, ...], amount: float = 1) -> None:
        values = self.values
        values[labels] = values.get(labels, 0) + amount

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labelnames)
        for labels, value in list(self.values.items()):
            family.add_metric(list(labels), value)
        yield family


class HistogramTally(Collector):
    """A histogram: `observe(labels, value)`; buckets are upper bounds, +Inf added."""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str],
                 buckets: Sequence[float] = DEFAULT_BUCKETS) -> None:
        self.name, self.documentation = name, documentation
        self.labelnames = tuple(labelnames)
        self.bounds = tuple(float(b) for b in buckets if b != math.inf)
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError("buckets must be increasing")
        # per label tuple: a count per bucket (the last is +Inf), then the sum
        self.values: dict[tuple[str, ...], list[float]] = {}

    def observe(self, labels: tuple[str, ...], value: float) -> None:
        row = self.values.get(labels)
        if row is None:
            row = self.values[labels] = [0.0] * (len(self.bounds) + 2)
        # bisect_left: a value equal to a bound counts in that bound's bucket (le)
        row[bisect.bisect_left(self.bounds, value)] += 1
        row[-1] += value

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        edges = [*(_le(b) for b in self.bounds), "+Inf"]
        for labels, row in list(self.values.items()):
            cumulative, running = [], 0.0
            for edge, count in zip(edges, row, strict=False):
                running += count
                cumulative.append((edge, running))
            family.add_metric(list(labels), cumulative, sum_value=row[-1])
        yield family


def _le(bound: float) -> str:
    """A bucket bound as prometheus-client writes it ("0.005", "1.048576e+06")."""
    return str(floatToGoString(bound))  # type: ignore[no-untyped-call]
