"""Policy unit tests (`pii-gateway policy test`): cases that live beside a policy.

A test file `NAME.tests.yaml` holds cases for the policy `NAME.yaml` next to it
(or the file its `policy:` key names). Each case is a sample message (request
or response, JSON or text), a route path, a method and a role, and what the
policy must do: a decision per field (`kept`, `masked`, `generalized`, `hashed`,
`encrypted`, `decrypted`, `redacted`, `replaced`), or the message blocked with a status,
and optionally the exact output. Cases run against the compiled policy on the
reference (Python) path; nothing is sent anywhere. A failure names the field
path and the decisions, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from gateway.codecs.base import CodecError, FieldPath, Leaf, render_path
from gateway.codecs.registry import decode_body
from gateway.errors import FieldBlocked
from gateway.policy.compiled import NO_UPSTREAM, CompiledPolicy, compile_file
from gateway.policy.modelbase import Model
from gateway.protect.engine import protect

SUFFIX = ".tests.yaml"
Decision = Literal["kept", "masked", "hashed", "encrypted", "decrypted", "redacted", "replaced",
                   "generalized"]
DECISIONS: dict[str, str] = {  # operator -> decision
    "keep": "kept", "mask": "masked", "hash": "hashed", "encrypt": "encrypted",
    "encrypt_deterministic": "encrypted", "fpe": "encrypted", "decrypt": "decrypted",
    "redact": "redacted", "replace": "replaced", "generalize": "generalized",
}


class ExpectModel(Model):
    fields: dict[str, Decision] = Field(default_factory=dict)
    blocked: int | None = Field(default=None, ge=400, le=599)
    output: Any = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExpectModel:
        if self.blocked is not None and (self.fields or self.output is not None):
            raise ValueError("a blocked message has no field decisions or output")
        if self.blocked is None and not self.fields and self.output is None:
            raise ValueError("say what to expect: fields, blocked or output")
        return self


class CaseModel(Model):
    name: str = Field(min_length=1, max_length=200)
    route: str = Field(pattern=r"^/")
    method: str = "GET"
    direction: Literal["request", "response"] = "response"
    role: str | None = None
    content_type: str = "application/json"
    body: Any = None
    body_text: str | None = None
    expect: ExpectModel

    @model_validator(mode="after")
    def _one_body(self) -> CaseModel:
        if (self.body is None) == (self.body_text is None):
            raise ValueError("give exactly one of body (JSON) and body_text")
        return self


class CaseFileModel(Model):
    policy: str | None = None
    cases: tuple[CaseModel, ...] = Field(min_length=1)


class CaseFileError(ValueError):
    """A test file that cannot be read or does not validate."""


@dataclass(frozen=True, slots=True)
class CaseResult:
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(slots=True)
class FileResult:
    path: Path
    policy: Path
    results: list[CaseResult] = field(default_factory=list)


def policy_for(test_file: Path, named: str | None) -> Path:
    if named is not None:
        return test_file.parent / named
    return test_file.with_name(test_file.name.removesuffix(SUFFIX) + ".yaml")


def load_cases(path: Path) -> CaseFileModel:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"{path}: cannot read ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CaseFileError(f"{path}{line}: YAML: {problem}") from None
    try:
        return CaseFileModel.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                          for e in exc.errors())
        raise CaseFileError(f"{path}: {where}") from None


def policy_files(root: Path) -> list[Path]:
    """The policy files under `root`, without the test files beside them."""
    return sorted(p for p in root.rglob("*.yaml") if not p.name.endswith(SUFFIX))


def find_case_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*" + SUFFIX))
        else:
            yield path


def run_file(path: Path) -> FileResult:
    """Every case of one test file (CaseFileError, PolicyError when they are invalid)."""
    cases = load_cases(path)
    policy_path = policy_for(path, cases.policy)
    policy = compile_file(policy_path, NO_UPSTREAM)
    return FileResult(path, policy_path, [run_case(policy, case) for case in cases.cases])


def _body(case: CaseModel) -> bytes:
    if case.body_text is not None:
        return case.body_text.encode("utf-8")
    return json.dumps(case.body, ensure_ascii=False).encode("utf-8")


def run_case(policy: CompiledPolicy, case: CaseModel) -> CaseResult:
    method = case.method.upper()
    route = policy.route_for(method, None, case.route)
    if route is None:
        return CaseResult(case.name, (f"no route matches {method} {case.route}",))
    role = case.role or policy.protection.roles.default
    plan = policy.protection.plan(route.name, method, case.direction, role)
    try:
        document = decode_body(_body(case), case.content_type)
    except CodecError as exc:
        return CaseResult(case.name, (f"the body cannot be decoded: {exc.code}",))
    expect = case.expect
    if not route.protect:  # streamed, never inspected: every field kept, the body as sent
        if expect.blocked is not None:
            return CaseResult(case.name, (f"not blocked (route {route.name} is not protected); "
                                          f"expected blocked {expect.blocked}",))
        failures = _field_failures(document.leaves(), {}, expect.fields)
        if expect.output is not None:
            failures += _output_failures(_body(case), case, expect.output)
        return CaseResult(case.name, tuple(failures))
    seen: dict[FieldPath, set[str]] = {}

    def record(path: FieldPath, entity: str, score: float, rule: str, operator: str,
               text: str) -> None:
        seen.setdefault(path, set()).add(DECISIONS.get(operator, operator))

    try:
        protect(document, plan, policy.detector, trace=record)
    except FieldBlocked as exc:
        if expect.blocked == exc.rule_status:
            return CaseResult(case.name, ())
        wanted = f"blocked {expect.blocked}" if expect.blocked else "not blocked"
        return CaseResult(case.name, (f"blocked ({exc.rule_status}): {exc.entity} in field "
                                      f"{exc.path}; expected {wanted}",))
    if expect.blocked is not None:
        return CaseResult(case.name, (f"not blocked; expected blocked {expect.blocked}",))
    failures = _field_failures(document.leaves(), seen, expect.fields)
    if expect.output is not None:
        failures += _output_failures(document.encode(), case, expect.output)
    return CaseResult(case.name, tuple(failures))


def _field_failures(leaves: Sequence[Leaf], seen: dict[FieldPath, set[str]],
                    expected: Mapping[str, str]) -> list[str]:
    """Each expected field against what the policy did to every leaf it names
    (`items[0].idNo` one leaf, `items[*].idNo` all of them)."""
    got: dict[str, set[str]] = {}
    for leaf in leaves:
        decisions = seen.get(leaf.path) or {"kept"}
        for shown in {render_path(leaf.path), render_path(leaf.path, positions=False)}:
            got.setdefault(shown, set()).update(decisions)
    failures = []
    for path, decision in expected.items():
        if path not in got:
            failures.append(f"{path}: no such field in the body")
        elif got[path] != {decision}:
            failures.append(f"{path}: expected {decision}, got {', '.join(sorted(got[path]))}")
    return failures


def _output_failures(body: bytes, case: CaseModel, expected: Any) -> list[str]:
    if case.body_text is not None:
        return [] if body.decode("utf-8") == expected else ["output: the text differs"]
    try:
        actual = json.loads(body)
    except ValueError:
        return ["output: not JSON"]
    differing = sorted(_differences(actual, expected, ()))
    return [f"output differs at {path}" for path in differing[:20]]


def _differences(actual: Any, expected: Any, path: FieldPath) -> Iterator[str]:
    """Paths where two JSON values differ (rendered like field paths, no values)."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        for key in actual.keys() | expected.keys():
            if key not in actual or key not in expected:
                yield render_path((*path, key))
            else:
                yield from _differences(actual[key], expected[key], (*path, key))
    elif isinstance(actual, list) and isinstance(expected, list):
        if len(actual) != len(expected):
            yield render_path(path) + " (length)"
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            yield from _differences(a, e, (*path, i))
    elif actual != expected or type(actual) is not type(expected):
        yield render_path(path)
