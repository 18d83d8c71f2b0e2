"""Prometheus metrics (prometheus-client), served at the admin listener's /metrics.

Labels carry names from the policy (routes, rules, detectors, actions) and
fixed words, never paths, client keys or values, so their number is bounded
by the policy.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

RATELIMIT_DECISIONS = Counter(
    "pgw_ratelimit_decisions_total", "Rate-limit decisions by route, rule and outcome",
    ["route", "rule", "outcome"], registry=REGISTRY)
RATELIMIT_DEGRADED = Counter(
    "pgw_ratelimit_degraded_total", "Limiter and detector calls decided without Redis",
    ["kind"], registry=REGISTRY)
DETECTOR_FIRINGS = Counter(
    "pgw_scraping_detections_total", "Scraping detectors that fired, by detector and action",
    ["detector", "action"], registry=REGISTRY)


def render() -> bytes:
    return generate_latest(REGISTRY)
