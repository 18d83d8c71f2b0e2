"""Prometheus metrics (prometheus-client), served at the admin listener's /metrics.

Labels carry names from the policy (routes, rules, detectors, entity types,
operators), error codes the gateway defines, HTTP methods from a fixed set and
status codes, never paths, client keys or values, so their number is bounded
by the policy.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from gateway.obs.tallies import ExchangeTally, HistogramTally, Tally

REGISTRY = CollectorRegistry(auto_describe=True)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SIZES = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216)

# Updated for every request: tallies (gateway/obs/tallies.py), not lock-taking Counters.
# pgw_requests_total{route,method,status}, pgw_request_duration_seconds{route} and
# pgw_upstream_duration_seconds{route}: one row per request (ExchangeTally)
EXCHANGES = ExchangeTally(
    ("pgw_requests", "Requests by route, method and status"),
    ("pgw_request_duration_seconds", "Time from request to response, by route"),
    ("pgw_upstream_duration_seconds", "Time to the upstream's response headers, by route"))
FINDINGS = Tally("pgw_findings", "Personal data found, by entity, direction and operator",
                 ["entity", "direction", "operator"])
REJECTIONS = Tally("pgw_rejections",
                   "Requests refused by the gateway (blocks, fail-closed, limits), by code",
                   ["route", "code"])
INSPECTION = HistogramTally("pgw_inspection_seconds", "Time to decode, scan and re-encode a body",
                            ["direction"])
BODY_BYTES = HistogramTally("pgw_inspected_body_bytes", "Sizes of inspected bodies",
                            ["direction"], buckets=_SIZES)
FAIL_CLOSED = Tally("pgw_fail_closed",
                    "Messages refused because they could not be inspected (fail closed), "
                    "by route and code", ["route", "code"])
RATELIMIT_DECISIONS = Tally("pgw_ratelimit_decisions",
                            "Rate-limit decisions by route, rule and outcome",
                            ["route", "rule", "outcome"])
for _tally in (EXCHANGES, FINDINGS, REJECTIONS, FAIL_CLOSED, INSPECTION,
               BODY_BYTES, RATELIMIT_DECISIONS):
    REGISTRY.register(_tally)
LOOP_LAG = Histogram("pgw_event_loop_lag_seconds", "How late the event loop ran a timer",
                     buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
                     registry=REGISTRY)
RATELIMIT_DEGRADED = Counter(
    "pgw_ratelimit_degraded_total", "Limiter and detector calls decided without Redis",
    ["kind"], registry=REGISTRY)
HONEYTOKENS = Counter(
    "pgw_honeytokens_served_total", "Responses refused because they carried a honeytoken",
    ["route"], registry=REGISTRY)
DETECTOR_FIRINGS = Counter(
    "pgw_scraping_detections_total", "Scraping detectors that fired, by detector and action",
    ["detector", "action"], registry=REGISTRY)


def render() -> bytes:
    return generate_latest(REGISTRY)
