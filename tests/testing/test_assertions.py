"""assert_no_pii on every kind of input it takes; failures name entity types
and field paths, never values."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.testing import Found, PiiFound, assert_no_pii, find_pii
from tests.conftest import single_route_policy

DATA = Path(__file__).resolve().parents[1] / "data"
BORROWERS = {"items": [{"name": "张三", "mobile": "13800138000", "idNo": "11010519491231002X",
                        "note": "ok"}]}


def test_json_values_text_and_bytes() -> None:
    found = find_pii(BORROWERS)
    assert {(f.field, f.entity) for f in found} == {
        ("body:items[0].name", "PERSON_NAME"), ("body:items[0].mobile", "CN_MOBILE"),
        ("body:items[0].idNo", "CN_RESIDENT_ID")}
    assert find_pii(json.dumps(BORROWERS)) == found
    assert find_pii(json.dumps(BORROWERS).encode()) == found
    assert [f.entity for f in find_pii("请回电 13800138000")] == ["CN_MOBILE"]
    assert_no_pii({"items": [{"name": "张*", "mobile": "138****8000"}]})  # masked: fine


def test_the_failure_names_fields_and_types_never_values() -> None:
    with pytest.raises(PiiFound) as caught:
        assert_no_pii(BORROWERS)
    text = str(caught.value)
    assert "CN_RESIDENT_ID in body:items[0].idNo of data (x1)" in text
    for value in ("13800138000", "11010519491231002X", "张三"):
        assert value not in text
    assert isinstance(caught.value, AssertionError)


def test_entities_and_allow_narrow_what_counts() -> None:
    assert [f.entity for f in find_pii(BORROWERS, entities={"CN_MOBILE"})] == ["CN_MOBILE"]
    assert {f.entity for f in find_pii(BORROWERS, allow={"PERSON_NAME", "items[*].mobile"})} \
        == {"CN_RESIDENT_ID"}
    assert find_pii(BORROWERS, allow={"**.idNo", "*.name", "body*"}) != []  # patterns on paths
    assert find_pii(BORROWERS, allow={"items[0].*"}) == []


def test_requests_style_and_aiohttp_responses() -> None:
    requests_like = SimpleNamespace(
        content=json.dumps(BORROWERS).encode(), headers={"Content-Type": "application/json"},
        url="http://127.0.0.1:1/api/v1/borrowers/13800138000?page=1",
        request=SimpleNamespace(method="GET"))
    found = find_pii(requests_like)
    assert {f.message for f in found} == {"GET /api/v1/borrowers/*"}  # the path's data hidden
    unread = SimpleNamespace(_body=None, headers={}, url="http://x/", method="GET",
                             content=object(), status=200)
    with pytest.raises(TypeError, match=r"await response\.read"):
        find_pii(unread)
    read = SimpleNamespace(_body=b'{"m": "13800138000"}', method="POST", content=object(),
                           headers={"Content-Type": "application/json"}, url="http://x/a")
    assert find_pii(read) == [Found("POST /a", "body:m", "CN_MOBILE", 1)]


def test_har_files_by_path_and_parsed() -> None:
    found = find_pii(DATA / "capture.har")
    assert len(found) == 6 and {f.message for f in found} == {"GET /api/v1/borrowers/*",
                                                              "POST /api/v1/notes"}
    assert find_pii(str(DATA / "capture.har")) == found
    assert find_pii(json.loads((DATA / "capture.har").read_text())) == found
    assert_no_pii(DATA / "clean.jsonl")


def test_a_role_is_allowed_what_its_policy_shows_it_in_full(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(single_route_policy(
        "http://127.0.0.1:9", "{name: api, match: {path_prefix: /api}}") + """
actions:
  roles: {default: anonymous}
  rules:
    - {name: names, roles: [collections], direction: response, entities: [PERSON_NAME],
       operator: keep}
    - {name: rest, roles: [collections], direction: response, operator: mask}
""")
    found = find_pii(BORROWERS, role="collections", policy=policy, route="/api/x")
    assert {f.entity for f in found} == {"CN_MOBILE", "CN_RESIDENT_ID"}  # the name is granted
    assert {f.entity for f in find_pii(BORROWERS, role="anonymous", policy=policy,
                                       route="/api/x")} == {"CN_MOBILE", "CN_RESIDENT_ID",
                                                            "PERSON_NAME"}
    with pytest.raises(TypeError, match="role needs the policy"):
        find_pii(BORROWERS, role="collections")


def test_undecodable_input_is_an_error_not_a_pass() -> None:
    response: Any = SimpleNamespace(content=b"\x89PNG", headers={"Content-Type": "image/png"},
                                    url="http://x/img", request=None)
    with pytest.raises(ValueError, match="cannot inspect"):
        assert_no_pii(response)
