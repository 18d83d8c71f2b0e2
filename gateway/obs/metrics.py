"""Prometheus metrics (prometheus-client), served at the admin listener's /metrics.

Labels carry names from the policy (routes, rules, detectors, entity types,
operators), error codes the gateway defines, HTTP methods from a fixed set and
status codes, never paths, client keys or values, so their number is bounded
by the policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from gateway.crypto.usage import all_usage
from gateway.obs.tallies import HistogramTally, Tally

if TYPE_CHECKING:
    from gateway.exchange import Exchange

REGISTRY = CollectorRegistry(auto_describe=True)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SIZES = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216)

# Updated for every request: tallies (gateway/obs/tallies.py), not lock-taking Counters.
REQUESTS = Tally("pgw_requests", "Requests by route, method and status",
                 ["route", "method", "status"])
LATENCY = HistogramTally("pgw_request_duration_seconds",
                         "Time from request to response, by route", ["route"])
UPSTREAM_LATENCY = HistogramTally("pgw_upstream_duration_seconds",
                                  "Time to the upstream's response headers, by route", ["route"])
FINDINGS = Tally("pgw_findings", "Personal data found, by entity, direction and operator",
                 ["entity", "direction", "operator"])
REJECTIONS = Tally("pgw_rejections",
                   "Requests refused by the gateway (blocks, fail-closed, limits), by code",
                   ["route", "code"])
INSPECTION = HistogramTally("pgw_inspection_seconds", "Time to decode, scan and re-encode a body",
                            ["direction"])
BODY_BYTES = HistogramTally("pgw_inspected_body_bytes", "Sizes of inspected bodies",
                            ["direction"], buckets=_SIZES)
RATELIMIT_DECISIONS = Tally("pgw_ratelimit_decisions",
                            "Rate-limit decisions by route, rule and outcome",
                            ["route", "rule", "outcome"])
for _tally in (REQUESTS, LATENCY, UPSTREAM_LATENCY, FINDINGS, REJECTIONS, INSPECTION, BODY_BYTES,
               RATELIMIT_DECISIONS):
    REGISTRY.register(_tally)
LOOP_LAG = Histogram("pgw_event_loop_lag_seconds", "How late the event loop ran a timer",
                     buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
                     registry=REGISTRY)
RATELIMIT_DEGRADED = Counter(
    "pgw_ratelimit_degraded_total", "Limiter and detector calls decided without Redis",
    ["kind"], registry=REGISTRY)
DETECTOR_FIRINGS = Counter(
    "pgw_scraping_detections_total", "Scraping detectors that fired, by detector and action",
    ["detector", "action"], registry=REGISTRY)


class _KeyUses(Collector):
    """Encryptions per key id (this process's view of the shared usage file)."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("pgw_key_uses", "Encryptions per data key id", labels=["kid"])
        totals: dict[str, int] = {}
        for usage in all_usage():
            for kid in usage.kids():
                totals[kid] = totals.get(kid, 0) + usage.total(kid)
        for kid, total in sorted(totals.items()):
            family.add_metric([kid], total)
        yield family


REGISTRY.register(_KeyUses())


def observe_exchange(ex: Exchange) -> None:
    """Everything one finished request adds to the metrics (on the event loop)."""
    route = ex.route.name if ex.route else "-"
    method = ex.method if ex.method in _METHODS else "OTHER"
    REQUESTS.add((route, method, str(ex.status)))
    LATENCY.observe((route,), ex.latency_ms() / 1000)
    if ex.upstream_latency_ms is not None:
        UPSTREAM_LATENCY.observe((route,), ex.upstream_latency_ms / 1000)
    if ex.error_code is not None:
        REJECTIONS.add((route, ex.error_code))
    for direction, counts in ex.pii.items():
        for key, n in counts.items():
            entity, _, operator = key.partition(":")
            FINDINGS.add((entity, direction, operator), n)
    for direction, seconds in ex.inspect_seconds.items():
        INSPECTION.observe((direction,), seconds)
    for direction, size in ex.body_bytes.items():
        BODY_BYTES.observe((direction,), size)


def render() -> bytes:
    return generate_latest(REGISTRY)
