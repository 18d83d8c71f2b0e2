"""What one finished request adds to the metrics (gateway/obs/metrics.py)."""

from __future__ import annotations

from gateway.errors import InspectionError
from gateway.exchange import Exchange
from gateway.obs.metrics import (
    BODY_BYTES,
    EXCHANGES,
    FAIL_CLOSED,
    FINDINGS,
    INSPECTION,
    METHODS,
    REJECTIONS,
)


def observe_exchange(ex: Exchange, latency_ms: float | None = None) -> None:
    """Everything one finished request adds to the metrics (on the event loop);
    `latency_ms` as the access line has it (else read now)."""
    route = ex.route.name if ex.route else "-"
    method = ex.method if ex.method in METHODS else "OTHER"
    EXCHANGES.observe((route, method, ex.status),
                      ex.latency_ms() if latency_ms is None else latency_ms,
                      ex.upstream_latency_ms)
    if ex.error_code is not None:
        REJECTIONS.add((route, ex.error_code))
        if isinstance(ex.error, InspectionError):
            FAIL_CLOSED.add((route, ex.error_code))
    if ex.pii:
        for direction, counts in ex.pii.items():
            for (entity, operator), n in counts.items():
                FINDINGS.add((entity, direction, operator), n)
    if ex.inspect_seconds:
        for direction, seconds in ex.inspect_seconds.items():
            INSPECTION.observe((direction,), seconds)
    for direction, size in ex.body_bytes.items():
        BODY_BYTES.observe((direction,), size)
