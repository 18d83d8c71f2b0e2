"""Tallies render exactly as prometheus-client's Counter and Histogram would."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from gateway.obs.tallies import ExchangeTally, HistogramTally, Tally


def _samples(registry: CollectorRegistry) -> list[str]:
    """Exposition lines without comments and the _created samples (a Counter's
    creation time; tallies do not write one)."""
    return sorted(line for line in generate_latest(registry).decode().splitlines()
                  if line and not line.startswith("#") and "_created" not in line)


@pytest.mark.parametrize("buckets", [(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
                                      1.0, 2.5, 5.0, 7.5, 10.0),
                                     (256, 1024, 4096, 1048576, 16777216)])
def test_histogram_tally_matches_prometheus_histogram(buckets: tuple[float, ...]) -> None:
    theirs, ours = CollectorRegistry(), CollectorRegistry()
    hist = Histogram("h_seconds", "doc", ["route"], buckets=buckets, registry=theirs)
    tally = HistogramTally("h_seconds", "doc", ["route"], buckets=buckets)
    ours.register(tally)
    values = [0.0, 0.005, 0.0051, 0.3, 1.0, 9.99, 256, 1024.5, 4096, 1e9, math.inf]
    for i, value in enumerate(values):
        route = "a" if i % 2 else "b"
        hist.labels(route=route).observe(value)
        tally.observe((route,), value)
    assert _samples(ours) == _samples(theirs)


def test_tally_matches_prometheus_counter() -> None:
    theirs, ours = CollectorRegistry(), CollectorRegistry()
    counter = Counter("c", "doc", ["entity", "operator"], registry=theirs)
    tally = Tally("c", "doc", ["entity", "operator"])
    ours.register(tally)
    for entity, operator, n in [("CN_MOBILE", "mask", 1), ("CN_MOBILE", "mask", 3),
                                ("EMAIL_ADDRESS", "keep", 2)]:
        counter.labels(entity=entity, operator=operator).inc(n)
        tally.add((entity, operator), n)
    assert _samples(ours) == _samples(theirs)


def test_add_each_counts_each_row_once() -> None:
    """An admitted request's rows (one per limit), repeated rows included."""
    each, one_by_one = Tally("c", "doc", ["route", "rule"]), Tally("c", "doc", ["route", "rule"])
    rows = [("api", "per-ip"), ("api", "per-client"), ("api", "per-ip")]
    for _ in range(3):
        each.add_each(rows)
        for row in rows:
            one_by_one.add(row)
    each.add_each([])
    assert each.values == one_by_one.values == {("api", "per-ip"): 6, ("api", "per-client"): 3}


def test_exchange_tally_matches_a_counter_and_two_histograms() -> None:
    """One row per request renders as pgw_requests_total and the two latency
    histograms would, had each been its own prometheus-client collector."""
    theirs, ours = CollectorRegistry(), CollectorRegistry()
    requests = Counter("req", "r", ["route", "method", "status"], registry=theirs)
    latency = Histogram("lat_seconds", "l", ["route"], registry=theirs)
    upstream = Histogram("up_seconds", "u", ["route"], registry=theirs)
    tally = ExchangeTally(("req", "r"), ("lat_seconds", "l"), ("up_seconds", "u"))
    ours.register(tally)
    # milliseconds, on bucket edges and between them; no upstream for refusals
    rows = [("a", "GET", 200, 5.0, 4.0), ("a", "GET", 200, 5.001, 0.0),
            ("a", "POST", 429, 0.4, None), ("b", "OTHER", 502, 30_000.0, 10_000.0),
            ("b", "GET", 200, 75.0, 74.999), ("c", "GET", 403, 1.0, None)]
    for route, method, status, ms, up_ms in rows:
        requests.labels(route=route, method=method, status=str(status)).inc()
        latency.labels(route=route).observe(ms / 1000)
        if up_ms is not None:
            upstream.labels(route=route).observe(up_ms / 1000)
        tally.observe((route, method, status), ms, up_ms)
    # sums are kept in milliseconds: equal to the last bits of a float
    mine, expected = _samples(ours), _samples(theirs)
    assert [x for x in mine if "_sum{" not in x] == [x for x in expected if "_sum{" not in x]
    sums = [(x.split()[0], float(x.split()[1])) for x in mine if "_sum{" in x]
    assert sums == [(x.split()[0], pytest.approx(float(x.split()[1]), rel=1e-12))
                    for x in expected if "_sum{" in x]
    assert tally.count("a", "GET", 200) == 2 and tally.count("c", "GET", 200) == 0


def test_buckets_must_increase() -> None:
    with pytest.raises(ValueError, match="increasing"):
        HistogramTally("h", "doc", [], buckets=(1.0, 0.5))
