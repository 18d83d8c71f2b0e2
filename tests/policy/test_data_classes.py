"""The policy's `data_classes:` section and rules that select fields by class."""

from __future__ import annotations

import json

import pytest

from gateway.codecs.registry import decode_body
from gateway.policy.loader import PolicyError
from gateway.protect.engine import protect
from tests.conftest import compiled

POLICY = """
version: 1
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: api}]
data_classes:
  fields: {khsr: income}
  classes:
    vehicle_vin: {level: C2, category: identity, generalize: remove, words: [[vin]]}
actions:
  defaults: {request: keep, response: keep}
  rules:
    - {name: quasi, direction: response, classes: [income, birth_date, vehicle_vin],
       operator: generalize}
    - {name: auth, direction: response, classes: [C3], operator: redact}
"""


def run(text: str, body: dict[str, object]) -> dict[str, object]:
    policy = compiled(text)
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    document = decode_body(json.dumps(body, ensure_ascii=False).encode(), "application/json")
    protect(document, plan, policy.detector)
    result: dict[str, object] = json.loads(document.encode())
    return result


def test_rules_select_fields_by_class_level_and_policy_additions() -> None:
    out = run(POLICY, {"khsr": 28000, "birth_date": "1996-01-27", "carVin": "LSVAU2180N2183294",
                       "loginPwd": "hunter2", "smsCode": "123456", "remark": "ok",
                       "bankName": "中国银行"})
    assert out == {"khsr": "20000-30000", "birth_date": "1996-**-**", "carVin": "",
                   "loginPwd": "", "smsCode": "", "remark": "ok", "bankName": "中国银行"}


def test_fields_rules_and_class_rules_combine() -> None:
    text = POLICY.replace("classes: [income, birth_date, vehicle_vin]",
                          "classes: [income], fields: [extra.note]")
    out = run(text, {"salary": "8000", "extra": {"note": "1996-01-27"}, "birthday": "1996-01-27"})
    assert out == {"salary": "8000-9000", "extra": {"note": "1***-**-*7"},
                   "birthday": "1996-01-27"}


@pytest.mark.parametrize(("change", "where", "message"), [
    (("classes: [C3]", "classes: [C4]"), "actions.rules[1].classes", "unknown data classes"),
    (("classes: [C3]", "classes: [secrets]"), "actions.rules[1].classes", "unknown data classes"),
    (("khsr: income", "khsr: wealth"), "data_classes", "unknown data class 'wealth'"),
    (("category: identity", "category: colour"), "data_classes", "category must be one of"),
    (("generalize: remove", "generalize: blur"), "data_classes", "generalize must be"),
])
def test_mistakes_are_policy_errors_with_their_place(change: tuple[str, str], where: str,
                                                      message: str) -> None:
    with pytest.raises(PolicyError) as info:
        compiled(POLICY.replace(*change))
    text = str(info.value)
    assert where in text and message in text, text
