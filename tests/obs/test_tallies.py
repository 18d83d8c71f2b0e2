"""Tallies render exactly as prometheus-client's Counter and Histogram would."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from gateway.obs.tallies import HistogramTally, Tally


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


def test_buckets_must_increase() -> None:
    with pytest.raises(ValueError, match="increasing"):
        HistogramTally("h", "doc", [], buckets=(1.0, 0.5))
