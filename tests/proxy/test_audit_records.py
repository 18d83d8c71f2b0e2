from __future__ import annotations

from collections import Counter
from typing import Any

from gateway.audit import events
from gateway.audit.reveals import Shown
from gateway.errors import FieldBlocked, InspectionError
from gateway.exchange import BudgetOverrun, DetectorFiring, Exchange, LimitDecision
from gateway.proxy.audit_records import request_records
from tests.conftest import caller_at, compiled, policy_text


def exchange() -> Exchange:
    ex = Exchange("rid-1", compiled(policy_text("http://127.0.0.1:9")), caller_at("10.0.0.1"),
                  "GET", trace_id="4bf92f3577b34da6a3ce929d0e0e4736")
    ex.caller.role, ex.caller.digest = "risk_engine", "f37745000629dfaa"
    return ex


def digest(shown: Shown) -> list[dict[str, Any]]:
    """One entry per field, digests distinct and sorted (as AuditWriter.reveal_fields)."""
    return [{"field": field, "entity": entity, "count": len(values),
             "digests": sorted({f"d({entity}:{len(value)})" for value in values})}
            for (field, entity), values in shown]


def test_records_of_a_request_hold_no_values() -> None:
    ex = exchange()
    ex.reveals = {("items[*].idNo", "CN_RESIDENT_ID"): ["11010519491231002X"] * 2}
    ex.record("response", Counter({("FIELD", "decrypt_failed"): 3, ("CN_MOBILE", "mask"): 5}))
    ex.limits = [LimitDecision("allowed", "per-client", "subject", 3),
                 BudgetOverrun("CN_MOBILE", 301),
                 DetectorFiring("enumeration", "ip", "ban"), LimitDecision("banned")]
    found = list(request_records(ex, digest))
    assert [r["event"] for r in found] == [events.REVEALED, events.DECRYPT_FAILED,
                                           events.LIMITER]
    reveal = found[0]
    assert reveal["fields"] == [{"field": "items[*].idNo", "entity": "CN_RESIDENT_ID",
                                 "count": 2, "digests": ["d(CN_RESIDENT_ID:18)"]}]
    assert reveal["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert reveal["caller"] == "f37745000629dfaa" and reveal["role"] == "risk_engine"
    assert found[1]["count"] == 3
    assert {k: found[2][k] for k in ("detector", "dimension", "action")} == {
        "detector": "enumeration", "dimension": "ip", "action": "ban"}
    assert "11010519491231002X" not in repr(found)


def test_a_block_is_recorded() -> None:
    ex = exchange()
    ex.error = FieldBlocked(422, "card.cvv", "FIELD", "request")
    (record,) = request_records(ex, digest)
    assert record["event"] == events.BLOCKED and record["field"] == "card.cvv"
    assert record["status"] == 422 and record["direction"] == "request"


def test_a_rejection_is_recorded() -> None:
    ex = exchange()
    ex.error = InspectionError(415, "unsupported_media_type", "…")
    (record,) = request_records(ex, digest)
    assert record["event"] == events.REJECTED and record["code"] == "unsupported_media_type"


def test_a_refused_response_revealed_nothing() -> None:
    from gateway.errors import RateLimited
    ex = exchange()
    ex.reveals = {("mobile", "CN_MOBILE"): ["13800138000"]}
    ex.error = RateLimited("scraping_exposure", "…", {})
    assert [r["event"] for r in request_records(ex, digest)] == []


def test_records_name_the_client_certificate_by_fingerprint_only() -> None:
    ex = exchange()
    ex.caller.certificate = "0123456789abcdef"
    ex.reveals = {("idNo", "CN_RESIDENT_ID"): ["11010519491231002X"]}
    record = next(request_records(ex, digest))
    assert record["client_cert"] == "0123456789abcdef"
    plain = exchange()
    plain.reveals = ex.reveals
    assert next(request_records(plain, digest)) == {**record, "client_cert": None}
