"""Prometheus metrics (prometheus-client), served at the admin listener's /metrics.

Labels carry names from the policy (routes, rules, detectors, entity types,
operators), error codes the gateway defines, HTTP methods from a fixed set and
status codes, never paths, client keys or values, so their number is bounded
by the policy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from gateway.crypto.usage import all_usage

if TYPE_CHECKING:
    from gateway.exchange import Exchange

REGISTRY = CollectorRegistry(auto_describe=True)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SIZES = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216)

REQUESTS = Counter("pgw_requests_total", "Requests by route, method and status",
                   ["route", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("pgw_request_duration_seconds", "Time from request to response, by route",
                    ["route"], registry=REGISTRY)
UPSTREAM_LATENCY = Histogram("pgw_upstream_duration_seconds",
                             "Time to the upstream's response headers, by route", ["route"],
                             registry=REGISTRY)
FINDINGS = Counter("pgw_findings_total", "Personal data found, by entity, direction and operator",
                   ["entity", "direction", "operator"], registry=REGISTRY)
REJECTIONS = Counter("pgw_rejections_total",
                     "Requests refused by the gateway (blocks, fail-closed, limits), by code",
                     ["route", "code"], registry=REGISTRY)
INSPECTION = Histogram("pgw_inspection_seconds", "Time to decode, scan and re-encode a body",
                       ["direction"], registry=REGISTRY)
BODY_BYTES = Histogram("pgw_inspected_body_bytes", "Sizes of inspected bodies", ["direction"],
                       buckets=_SIZES, registry=REGISTRY)
LOOP_LAG = Histogram("pgw_event_loop_lag_seconds", "How late the event loop ran a timer",
                     buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
                     registry=REGISTRY)
RATELIMIT_DECISIONS = Counter(
    "pgw_ratelimit_decisions_total", "Rate-limit decisions by route, rule and outcome",
    ["route", "rule", "outcome"], registry=REGISTRY)
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


def _child(metric: Counter | Histogram) -> Callable[..., Any]:
    """`metric.labels(...)` with the children kept: prometheus-client checks the
    labels and takes a lock on every call, and this runs for every request. The
    label values are bounded by the policy (see the module docstring)."""
    return functools.lru_cache(maxsize=4096)(metric.labels)


_requests, _latency, _upstream_latency = _child(REQUESTS), _child(LATENCY), _child(
    UPSTREAM_LATENCY)
_rejections, _findings = _child(REJECTIONS), _child(FINDINGS)
_inspection, _body_bytes = _child(INSPECTION), _child(BODY_BYTES)


def observe_exchange(ex: Exchange) -> None:
    """Everything one finished request adds to the metrics."""
    route = ex.route.name if ex.route else "-"
    method = ex.method if ex.method in _METHODS else "OTHER"
    _requests(route, method, str(ex.status)).inc()
    _latency(route).observe(ex.latency_ms() / 1000)
    if ex.upstream_latency_ms is not None:
        _upstream_latency(route).observe(ex.upstream_latency_ms / 1000)
    if ex.error_code is not None:
        _rejections(route, ex.error_code).inc()
    for direction, counts in ex.pii.items():
        for key, n in counts.items():
            entity, _, operator = key.partition(":")
            _findings(entity, direction, operator).inc(n)
    for direction, seconds in ex.inspect_seconds.items():
        _inspection(direction).observe(seconds)
    for direction, size in ex.body_bytes.items():
        _body_bytes(direction).observe(size)


def render() -> bytes:
    return generate_latest(REGISTRY)
