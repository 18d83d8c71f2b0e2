"""Identifiers split across adjacent fields, on the Python path and through
the native core's hand-over, with hard negatives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.codecs.registry import decode_body
from gateway.native import core
from gateway.protect.engine import protect
from gateway.protect.native_json import inspect_json
from gateway.protect.split import is_area_code, part_of
from tests.conftest import compiled

POLICY = """
version: 1
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: api}]
actions:
  defaults: {request: keep, response: mask}
"""


@pytest.mark.parametrize(("name", "part"), [
    ("idNo1", (("id", "no"), 1)), ("idNo2", (("id", "no"), 2)), ("id_no_part1", (("id", "no"), 1)),
    ("mobilePrefix", (("mobile",), 1)), ("mobile_suffix", (("mobile",), 2)),
    ("cardHead", (("card",), 1)), ("cardTail", (("card",), 2)), ("sfzh1", (("sfzh",), 1)),
    ("bankCardNo2", (("bank", "card", "no"), 2)), ("phoneFirst", (("phone",), 1)),
    # not parts of an identifier
    ("address1", None), ("address2", None), ("name1", None), ("contact1", None),
    ("mobile", None), ("page2", None), ("amount1", None),
])
def test_part_names(name: str, part: object) -> None:
    assert part_of(name) == part


def test_area_code_names() -> None:
    assert all(is_area_code(n) for n in ("areaCode", "area_code", "qh", "电话区号"))
    assert not any(is_area_code(n) for n in ("zipCode", "code", "area", "cityCode"))


def _paths(body: dict[str, object], path: Path) -> list[dict[str, object]]:
    """The body after the default `mask`, by the Python path and by the core."""
    policy = compiled(POLICY, str(path / "p.yaml"))
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    raw = json.dumps(body, ensure_ascii=False).encode()
    document = decode_body(raw, "application/json")
    protect(document, plan, policy.detector)
    out = [json.loads(document.encode())]
    if core is not None:
        taken = inspect_json(raw, "application/json", plan, policy.detector, False)
        assert taken is None  # handed to the Python path
    return out


@pytest.mark.parametrize(("body", "expected"), [
    ({"idNo1": "110105", "idNo2": "19491231002X"}, {"idNo1": "1*****", "idNo2": "***********X"}),
    ({"mobilePrefix": "139", "mobileSuffix": "12345678"},
     {"mobilePrefix": "139", "mobileSuffix": "****5678"}),
    ({"applicant": {"cardHead": "62220212", "cardTail": "34567890128"}},
     {"applicant": {"cardHead": "622202**", "cardTail": "*******0128"}}),
    # a landline keeps its area code and last two digits: 0755-******88
    ({"areaCode": "0755", "phone": "86013388"}, {"areaCode": "0755", "phone": "******88"}),
])
def test_both_parts_are_protected(body: dict[str, object], expected: dict[str, object],
                                  tmp_path: Path) -> None:
    for out in _paths(body, tmp_path):
        assert out == expected


@pytest.mark.parametrize("body", [
    {"idNo1": "110105", "idNo2": "hello"},             # no identifier across the boundary
    {"mobilePrefix": "139", "mobileSuffix": "1234"},   # too short together
    {"cardHead": "6222", "cardTail": "abcd"},
])
def test_no_identifier_no_change(body: dict[str, object], tmp_path: Path) -> None:
    policy = compiled(POLICY, str(tmp_path / "p.yaml"))
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    document = decode_body(json.dumps(body, ensure_ascii=False).encode(), "application/json")
    protect(document, plan, policy.detector)
    assert json.loads(document.encode()) == body


def test_whole_identifiers_in_numbered_fields_stay_per_field(tmp_path: Path) -> None:
    body = {"phone1": "13912345678", "phone2": "13812345678"}
    for out in _paths(body, tmp_path):
        assert out == {"phone1": "139****5678", "phone2": "138****5678"}


def test_a_part_named_field_in_the_core_goes_to_python_every_time(tmp_path: Path) -> None:
    if core is None:
        pytest.skip("no native core")
    policy = compiled(POLICY, str(tmp_path / "p.yaml"))
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    raw = json.dumps({"idNo1": "110105", "idNo2": "19491231002X"}).encode()
    for _ in range(3):  # not learned as a plain path after the first body
        assert inspect_json(raw, "application/json", plan, policy.detector, False) is None
