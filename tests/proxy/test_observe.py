"""One finished exchange into the per-request metrics."""

from __future__ import annotations

from collections import Counter

import pytest

from gateway.exchange import Exchange
from gateway.obs.metrics import EXCHANGES, FINDINGS, REJECTIONS
from gateway.proxy.observe import observe_exchange
from tests.conftest import caller_at, compiled, policy_text


def test_an_exchange_counts_once_with_bounded_labels() -> None:
    policy = compiled(policy_text("http://127.0.0.1:9"))
    ex = Exchange("rid", policy, caller_at("10.0.0.1"), "BREW")  # an unknown method is OTHER
    ex.route, ex.status, ex.error_code = policy.routes[0], 429, "rate_limited"
    ex.record("response", Counter({("CN_MOBILE", "mask"): 2}))
    before = (EXCHANGES.count("protected", "OTHER", 429),
              REJECTIONS.values.get(("protected", "rate_limited"), 0),
              FINDINGS.values.get(("CN_MOBILE", "response", "mask"), 0))
    observe_exchange(ex)
    after = (EXCHANGES.count("protected", "OTHER", 429),
             REJECTIONS.values[("protected", "rate_limited")],
             FINDINGS.values[("CN_MOBILE", "response", "mask")])
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 2]


def test_a_request_without_a_route_counts_under_a_dash() -> None:
    ex = Exchange("rid", compiled(policy_text("http://127.0.0.1:9")), caller_at("10.0.0.1"),
                  "GET")
    ex.status = 404
    before = EXCHANGES.count("-", "GET", 404)
    observe_exchange(ex)
    assert EXCHANGES.count("-", "GET", 404) == before + 1


def test_the_latency_is_the_access_lines_to_the_microsecond() -> None:
    """Observed as the access line shows it (one reading per request), in
    milliseconds to three decimals."""
    ex = Exchange("rid", compiled(policy_text("http://127.0.0.1:9")), caller_at("10.0.0.1"),
                  "GET")
    ex.started -= 0.0123456
    latency = ex.latency_ms()
    assert 12.345 <= latency < 20 and round(latency, 3) == latency
    ex.status = 200
    n = len(EXCHANGES.bounds) + 1
    row = EXCHANGES.rows.get(("-", "GET", 200))
    before = (row[n], sum(row[:n])) if row else (0.0, 0.0)
    observe_exchange(ex, 7.5)
    row = EXCHANGES.rows[("-", "GET", 200)]
    assert row[n] - before[0] == pytest.approx(7.5) and sum(row[:n]) - before[1] == 1
