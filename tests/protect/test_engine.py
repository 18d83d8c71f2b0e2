"""Rules, detection and operators over a document."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.codecs.json_codec import JsonCodec
from gateway.detect import Detector, Finding
from gateway.errors import FieldBlocked
from gateway.policy.actions import ActionsModel
from gateway.protect.engine import REVEALS, Collect, protect, resolve_overlaps
from gateway.protect.rules import ActionsError, compile_actions
from tests.conftest import compiled, policy_text
from tests.detect import keynames, values

DETECTOR = Detector()
ENTITIES = set(DETECTOR.entities)
ACTIONS = ActionsModel.model_validate({
    "defaults": {"request": "keep", "response": "mask"},
    "rules": [
        {"name": "c3", "fields": ["**.cvv", "**.password"], "operator": "block",
         "direction": "request", "routes": ["partner"]},
        {"name": "risk sees all", "roles": ["risk_engine"], "operator": "keep"},
        {"name": "collections mobiles", "roles": ["collections"], "entities": ["CN_MOBILE"],
         "operator": "mask"},
        {"name": "collections rest", "roles": ["collections"], "operator": "redact"},
        {"name": "internal note", "fields": ["**.internalNote"], "operator": "replace",
         "params": {"with": "<removed>"}},
    ],
})
PROTECTION = compile_actions(ACTIONS, Path("."), {"api": "api", "partner": "partner"}, ENTITIES)
BODY = ('{"items": [{"name": "张三", "mobile": "13800138000", "idNo": "11010519491231002X",'
        ' "internalNote": "ok", "amount": 1200}]}').encode()


def run(role: str, direction: str = "response", route: str = "api",
        body: bytes = BODY) -> tuple[str, dict[tuple[str, str], int]]:
    doc = JsonCodec().decode(body, "utf-8")
    outcome = protect(doc, PROTECTION.plan(route, "GET", direction, role), DETECTOR)
    return doc.encode().decode(), dict(outcome.counts)


def test_unknown_callers_get_everything_masked() -> None:
    out, counts = run("anonymous")
    assert '"name":"张*"' in out and '"mobile":"138****8000"' in out
    assert '"idNo":"1****************X"' in out and '"internalNote":"<removed>"' in out
    assert '"amount":1200' in out
    assert counts[("CN_MOBILE", "mask")] == 1 and counts[("FIELD", "replace")] == 1


def test_roles_decide() -> None:
    out, _ = run("risk_engine")
    assert "13800138000" in out and "11010519491231002X" in out
    assert '"internalNote":"<removed>"' in out  # a field rule holds for every role it names
    out, _ = run("collections")
    assert '"mobile":"138****8000"' in out and '"name":""' in out and '"idNo":""' in out


@pytest.mark.parametrize(("collect", "values", "reveals"), [
    (False, False, False), (REVEALS, False, True), (True, True, True)])
def test_what_inspection_collects(collect: Collect, values: bool, reveals: bool) -> None:
    """REVEALS keeps what the response shows in full (the audit trail, the
    exposure budget); True also every value found (honeytokens)."""
    plan = PROTECTION.plan("api", "GET", "response", "risk_engine")
    outcome = protect(JsonCodec().decode(BODY, "utf-8"), plan, DETECTOR, collect=collect)
    assert (outcome.values is not None, outcome.reveals is not None) == (values, reveals)
    if reveals:
        assert outcome.reveals is not None
        assert ("items[*].mobile", "CN_MOBILE") in outcome.reveals
    if values:
        assert outcome.values is not None and "13800138000" in outcome.values["CN_MOBILE"]


def test_requests_keep_by_default_and_c3_is_blocked_for_partners() -> None:
    out, counts = run("anonymous", "request")
    assert "13800138000" in out and counts[("CN_MOBILE", "keep")] == 1
    body = b'{"card": {"no": "6222021234567890128", "cvv": "123"}}'
    with pytest.raises(FieldBlocked) as info:
        run("anonymous", "request", "partner", body)
    assert (info.value.path, info.value.entity) == ("card.cvv", "FIELD")
    run("anonymous", "request", "api", body)  # other routes: no block


def test_overlaps_resolve_to_the_widest_then_the_highest_score() -> None:
    a = Finding("CN_BANK_CARD", 0, 19, 0.5, "a")
    b = Finding("CN_MOBILE", 3, 14, 0.85, "b")
    c = Finding("CREDIT_CARD", 0, 19, 0.9, "c")
    assert resolve_overlaps([a, b, c]) == [c]
    assert resolve_overlaps([b, Finding("X", 20, 25, 0.1, "x")]) == [b, Finding("X", 20, 25, 0.1,
                                                                                "x")]


def test_compile_errors_name_the_rule() -> None:
    bad = ActionsModel.model_validate({"rules": [{"name": "x", "operator": "maks"}]})
    with pytest.raises(ActionsError, match="unknown operator 'maks'") as info:
        compile_actions(bad, Path("."), {"api": "api"}, ENTITIES)
    assert info.value.loc == ("rules", 0, "operator")
    bad = ActionsModel.model_validate({"rules": [{"name": "x", "operator": "mask",
                                                  "routes": ["nope"]}]})
    with pytest.raises(ValueError, match="unknown routes"):
        compile_actions(bad, Path("."), {"api": "api"}, ENTITIES)


KEYED = {
    # keys that are personal data: masked like values
    "results": {"13912345678": {"status": "ok"}, "11010519491231002X": {"status": "ok"}},
    "contacts": {"张三": "父亲", "王小明": "朋友"},
    "紧急联系人": {"李四": "13800138000"},
    # hard negatives: keys that look like data but are not
    "byDate": {"2026-12-01": 3, "20261201": 4},
    "orders": {"DD202612011234567890": 1, "1735689600123456789": 2,
               "5f3a9c0e8b7d4e21a6c9f0b3d2e1a4c7": 3,
               "0b6f9c2e-8d4a-4f1e-9c3b-2a7d5e6f8a9b": 4},
    "products": {"白条": 1, "借呗": 2, "金条": 3},
    "zh": {"姓名": "x", "手机号": "y", "身份证号": "z", "金额": 1, "王牌": 2},
}


def test_keys_that_are_personal_data_are_masked_and_hard_negatives_kept() -> None:
    import json

    from gateway.codecs.registry import decode_body
    policy = compiled(policy_text("http://127.0.0.1:9")
                      + "actions: {defaults: {request: mask, response: mask}}\n")
    plan = policy.protection.plan("protected", "GET", "response", "anonymous")
    document = decode_body(json.dumps(KEYED, ensure_ascii=False).encode(), "application/json")
    outcome = protect(document, plan, policy.detector)
    out = json.loads(document.encode())
    assert set(out["results"]) == {"139****5678", "1****************X"}
    assert set(out["contacts"]) == {"张*", "王**"} and set(out["紧急联系人"]) == {"李*"}
    assert out["紧急联系人"]["李*"] == "138****8000"
    for kept in ("byDate", "orders", "products", "zh"):
        assert out[kept] == KEYED[kept], kept
    assert outcome.counts[("PERSON_NAME", "mask")] == 3


def _table_key(make: Callable[[random.Random], tuple[str, ...]], rng: random.Random) -> str:
    while True:
        key = make(rng)
        if len(key) == 1:
            return str(key[0])


def test_table_cells_are_protected_like_fields_of_records() -> None:
    """Tables (`columns` + `rows`) with column names as lending systems write
    them (tests/detect/keynames.py) and values from tests/detect/values.py:
    every name and address cell changes, amounts and statuses do not."""
    rng = random.Random(14)
    changed = total = 0
    for _ in range(40):
        columns = [_table_key(keynames.person_key, rng), _table_key(keynames.address_key, rng),
                   "mobile", "loanAmount", "status"]
        if len(set(columns)) < len(columns):
            continue
        rows = [[values.person_name(rng), values.address(rng), values.mobile(rng),
                 f"{rng.randrange(1000, 90000)}.00", rng.choice(("还款中", "已结清"))]
                for _ in range(5)]
        body = json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False).encode()
        doc = JsonCodec().decode(body, "utf-8")
        protect(doc, PROTECTION.plan("api", "GET", "response", "anonymous"), DETECTOR)
        out = json.loads(doc.encode())["rows"]
        for old, new in zip(rows, out, strict=True):
            total += 3
            changed += sum(old[i] != new[i] for i in range(3))
            assert old[3:] == new[3:]
    assert total >= 300 and changed / total >= 0.98, changed / total


def test_field_rules_select_table_cells_by_column_name() -> None:
    body = ('{"headers": ["applicant", "internalNote"], "data": [["张三", "note"]]}').encode()
    doc = JsonCodec().decode(body, "utf-8")
    protect(doc, PROTECTION.plan("api", "GET", "response", "anonymous"), DETECTOR)
    assert json.loads(doc.encode()) == {"headers": ["applicant", "internalNote"],
                                        "data": [["张*", "<removed>"]]}
