"""Policy unit tests: cases beside a policy, run without a network; failures
name field paths and decisions, never values."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.policy.cases import (
    CaseFileError,
    load_cases,
    policy_files,
    policy_for,
    run_file,
)
from tests.conftest import single_route_policy

ROOT = Path(__file__).resolve().parents[2]
POLICY = single_route_policy("http://127.0.0.1:9", "{name: api, match: {path_prefix: /}}") + """
actions:
  defaults: {request: keep, response: mask}
  roles:
    default: anonymous
    trusted_header: {name: X-Role, from: [127.0.0.1/32]}
  rules:
    - {name: c3, fields: ["**.cvv"], operator: block, params: {status: 422}, direction: request}
    - {name: ops-keep, roles: [ops], direction: response, operator: keep}
"""


def write(tmp: Path, cases: str) -> Path:
    (tmp / "p.yaml").write_text(POLICY)
    path = tmp / "p.tests.yaml"
    path.write_text(cases)
    return path


def test_the_shipped_policies_pass_their_own_tests(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    shutil.copytree(ROOT / "keys", tmp_path / "keys")
    files = sorted((tmp_path / "policies").rglob("*.tests.yaml"))
    # every shipped policy has a test file
    assert {policy_for(f, None) for f in files} == set(policy_files(tmp_path / "policies"))
    for f in files:
        result = run_file(f)
        assert [c for c in result.results if not c.passed] == []


CASE = """cases:
  - name: c
    route: /x
    body: {"items": [{"idNo": "11010519491231002X", "n": 1}, {"idNo": "11010519491231002X"}]}
    expect:
      fields: %s
"""


@pytest.mark.parametrize(("fields", "failures"), [
    ('{"items[*].idNo": masked, "items[0].n": kept}', []),
    ('{"items[1].idNo": masked}', []),
    ('{"items[*].idNo": kept}', ["items[*].idNo: expected kept, got masked"]),
    ('{"items[0].nope": kept}', ["items[0].nope: no such field in the body"]),
])
def test_field_decisions(tmp_path: Path, fields: str, failures: list[str]) -> None:
    result = run_file(write(tmp_path, CASE % fields))
    assert list(result.results[0].failures) == failures
    assert "11010519491231002X" not in " ".join(result.results[0].failures)


def test_roles_blocks_and_outputs(tmp_path: Path) -> None:
    result = run_file(write(tmp_path, """cases:
  - {name: ops sees it, route: /x, role: ops, body: {"id": "11010519491231002X"},
     expect: {output: {"id": "11010519491231002X"}}}
  - {name: wrong output, route: /x, body: {"id": "11010519491231002X", "k": 1},
     expect: {output: {"id": "11010519491231002X", "k": 1}}}
  - {name: blocked, route: /x, method: POST, direction: request, body: {"cvv": "123"},
     expect: {blocked: 422}}
  - {name: wrong status, route: /x, method: POST, direction: request, body: {"cvv": "123"},
     expect: {blocked: 400}}
  - {name: not blocked, route: /x, body: {"cvv": "123"}, expect: {blocked: 422}}
  - {name: blocked unexpectedly, route: /x, method: POST, direction: request,
     body: {"cvv": "123"}, expect: {fields: {"cvv": kept}}}
  - {name: text, route: /x, content_type: text/plain, body_text: "call 13800138000",
     expect: {fields: {"$": masked}}}
"""))
    got = {r.name: r.failures for r in result.results}
    assert got == {
        "ops sees it": (),
        "wrong output": ("output differs at id",),
        "blocked": (),
        "wrong status": ("blocked (422): FIELD in field cvv; expected blocked 400",),
        "not blocked": ("not blocked; expected blocked 422",),
        "blocked unexpectedly": ("blocked (422): FIELD in field cvv; expected not blocked",),
        "text": (),
    }


@pytest.mark.parametrize(("text", "message"), [
    ("cases: []", "cases"),
    ("cases:\n  - {name: a, route: /x, body: {}, body_text: x, expect: {fields: {a: kept}}}",
     "exactly one of body"),
    ("cases:\n  - {name: a, route: /x, body: {}, expect: {}}", "say what to expect"),
    ("cases:\n  - {name: a, route: /x, body: {}, expect: {fields: {a: shown}}}", "cases.0"),
    ("cases:\n  - {name: a, route: /x, body: {}, expect: {blocked: 422, fields: {a: kept}}}",
     "no field decisions"),
    ("cases: [\n", "p.tests.yaml:2: YAML"),
])
def test_invalid_test_files_are_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CaseFileError, match=message.replace("[", r"\[")):
        load_cases(write(tmp_path, text))


def test_a_route_that_does_not_match_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(single_route_policy(
        "http://127.0.0.1:9", "{name: api, match: {path_prefix: /api}}"))
    path = tmp_path / "p.tests.yaml"
    path.write_text("cases:\n  - {name: a, route: /other, body: {}, expect: {output: {}}}")
    assert run_file(path).results[0].failures == ("no route matches GET /other",)
