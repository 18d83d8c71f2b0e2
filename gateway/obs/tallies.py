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

    def add_each(self, rows: Sequence[tuple[str, ...]]) -> None:
        """`add(labels)` for each of `rows`, in one call."""
        values = self.values
        for labels in rows:
            values[labels] = values.get(labels, 0) + 1

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
            family.add_metric(list(labels), _cumulative(edges, row[:-1]), sum_value=row[-1])
        yield family


class ExchangeTally(Collector):
    """Requests, their latency and their upstream latency in one row per
    (route, method, status): a request updates one row (three tallies took
    three dict lookups and three label tuples). At scrape time the rows are
    split into a counter by route, method and status and two histograms by
    route, exactly as three separate tallies would render them.

    `observe(key, latency_ms, upstream_ms)` takes milliseconds (as the access
    line has them); bounds are seconds, as Prometheus buckets are."""

    def __init__(self, requests: tuple[str, str], latency: tuple[str, str],
                 upstream: tuple[str, str], buckets: Sequence[float] = DEFAULT_BUCKETS) -> None:
        self.requests, self.latency, self.upstream = requests, latency, upstream
        self.bounds = tuple(float(b) for b in buckets if b != math.inf)
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError("buckets must be increasing")
        self.bounds_ms = tuple(b * 1000 for b in self.bounds)
        # per (route, method, status): latency buckets (+Inf last), their sum
        # (ms), upstream buckets, their sum (ms)
        self.rows: dict[tuple[str, str, int], list[float]] = {}

    def observe(self, key: tuple[str, str, int], latency_ms: float,
                upstream_ms: float | None) -> None:
        row = self.rows.get(key)
        bounds = self.bounds_ms
        n = len(bounds) + 1
        if row is None:
            row = self.rows[key] = [0.0] * (2 * n + 2)
        row[bisect.bisect_left(bounds, latency_ms)] += 1
        row[n] += latency_ms
        if upstream_ms is not None:
            row[n + 1 + bisect.bisect_left(bounds, upstream_ms)] += 1
            row[-1] += upstream_ms

    def count(self, route: str, method: str, status: int) -> float:
        """Requests seen with these labels (0 if none)."""
        row = self.rows.get((route, method, status))
        return sum(row[:len(self.bounds) + 1]) if row else 0

    def collect(self) -> Iterator[Metric]:
        n = len(self.bounds) + 1
        requests = CounterMetricFamily(*self.requests, labels=("route", "method", "status"))
        by_route: dict[str, list[float]] = {}
        for (route, method, status), row in list(self.rows.items()):
            requests.add_metric([route, method, str(status)], sum(row[:n]))
            into = by_route.setdefault(route, [0.0] * len(row))
            for i, value in enumerate(row):
                into[i] += value
        yield requests
        edges = [*(_le(b) for b in self.bounds), "+Inf"]
        for (name, documentation), start in ((self.latency, 0), (self.upstream, n + 1)):
            family = HistogramMetricFamily(name, documentation, labels=("route",))
            for route, row in by_route.items():
                counts = row[start:start + n]
                if not any(counts):
                    continue
                family.add_metric([route], _cumulative(edges, counts),
                                  sum_value=row[start + n] / 1000)
            yield family


def _cumulative(edges: Sequence[str], counts: Sequence[float]) -> list[tuple[str, float]]:
    """Per-bucket counts as a histogram's cumulative (le, count) pairs."""
    cumulative, running = [], 0.0
    for edge, count in zip(edges, counts, strict=True):
        running += count
        cumulative.append((edge, running))
    return cumulative


def _le(bound: float) -> str:
    """A bucket bound as prometheus-client writes it ("0.005", "1.048576e+06")."""
    return str(floatToGoString(bound))  # type: ignore[no-untyped-call]
