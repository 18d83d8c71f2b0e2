"""Load a policy file: YAML -> validated model, with file:line errors.

Every error names the file, the line, the path inside the document and what
was expected, e.g. ``policies/x.yaml:14 routes[2].timeouts.read: must be > 0``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gateway.policy.model import PolicyModel

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where} {self.message}"


class PolicyError(Exception):
    """A policy file is invalid; `issues` lists every problem found."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in issues))


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    model: PolicyModel
    source: str
    version: str  # sha256 prefix of the file bytes: what the access line reports
    lines: Mapping[Loc, int] = field(default_factory=dict)  # document path -> line

    def issue(self, loc: Loc, message: str) -> PolicyIssue:
        """An issue found after validation (while compiling), at its line."""
        line = 1
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.lines:
                line = self.lines[loc[:cut]]
                break
        return PolicyIssue(self.source, line, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Lines:
    """Maps document paths to 1-based line numbers, built while constructing."""

    def __init__(self) -> None:
        self.lines: dict[Loc, int] = {}

    def line_for(self, loc: Loc) -> int:
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _construct(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, lines: _Lines,
               issues: list[PolicyIssue], source: str) -> Any:
    lines.lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                issues.append(PolicyIssue(source, key_node.start_mark.line + 1,
                                          format_loc(loc), "keys must be strings"))
                continue
            child = (*loc, key)
            if key in out:
                issues.append(PolicyIssue(source, key_node.start_mark.line + 1,
                                          format_loc(child), "duplicate key"))
                continue
            out[key] = _construct(loader, value_node, child, lines, issues, source)
            lines.lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*loc, i), lines, issues, source)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind == "greater_than":
        return f"must be > {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be <= {ctx.get('le')}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return str(err["msg"]).lower()


def parse_policy(text: str, source: str) -> PolicyModel:
    """Parse and validate policy text; raise PolicyError with every issue."""
    return parse_policy_lines(text, source)[0]


def parse_policy_lines(text: str, source: str) -> tuple[PolicyModel, Mapping[Loc, int]]:
    """`parse_policy`, also returning the line of every document path."""
    issues: list[PolicyIssue] = []
    lines = _Lines()
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = _construct(loader, node, (), lines, issues, source) if node else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise PolicyError([PolicyIssue(source, line, "", f"YAML: {problem}")]) from None
    if issues:
        raise PolicyError(issues)
    if not isinstance(data, dict):
        raise PolicyError([PolicyIssue(source, 1, "", "the document must be a mapping")])
    try:
        model = PolicyModel.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
            issues.append(PolicyIssue(source, lines.line_for(loc), format_loc(loc), _message(err)))
        raise PolicyError(issues) from None
    issues.extend(_semantic_issues(model, lines, source))
    if issues:
        raise PolicyError(issues)
    return model, dict(lines.lines)


def _semantic_issues(model: PolicyModel, lines: _Lines, source: str) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    for key in ("upstreams", "routes"):
        if not getattr(model, key):
            issues.append(PolicyIssue(source, lines.line_for((key,)), key,
                                      "at least one entry is required"))
    seen: set[str] = set()
    for i, route in enumerate(model.routes):
        if route.upstream not in model.upstreams:
            loc: Loc = ("routes", i, "upstream")
            issues.append(PolicyIssue(source, lines.line_for(loc), format_loc(loc),
                                      f"unknown upstream '{route.upstream}'; "
                                      f"defined: {sorted(model.upstreams)}"))
        if route.name in seen:
            loc = ("routes", i, "name")
            issues.append(PolicyIssue(source, lines.line_for(loc), format_loc(loc),
                                      f"route name '{route.name}' is used twice"))
        seen.add(route.name)
    return issues + _tls_issues(model, lines, source)


def _tls_issues(model: PolicyModel, lines: _Lines, source: str) -> list[PolicyIssue]:
    """TLS settings that contradict each other."""
    issues: list[PolicyIssue] = []

    def add(loc: Loc, message: str) -> None:
        issues.append(PolicyIssue(source, lines.line_for(loc), format_loc(loc), message))

    tls = model.server.tls
    mutual = tls is not None and tls.client_auth != "none"
    for i, route in enumerate(model.routes):
        if route.require_client_cert and not mutual:
            add(("routes", i, "require_client_cert"),
                "needs server.tls with client_ca and client_auth optional or required")
    if model.actions.roles.certificates and not mutual:
        add(("actions", "roles", "certificates"),
            "needs server.tls with client_ca and client_auth optional or required")
    for name, up in model.upstreams.items():
        if up.tls is not None and up.url is not None and up.url.startswith("http://"):
            add(("upstreams", name, "tls"), "the upstream's url is http://; use https://")
    return issues


def load_policy_file(path: str | Path) -> LoadedPolicy:
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError([PolicyIssue(source, 0, "", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError([PolicyIssue(source, 1, "", "the file is not UTF-8")]) from None
    model, lines = parse_policy_lines(text, source)
    return LoadedPolicy(model=model, source=source,
                        version=hashlib.sha256(raw).hexdigest()[:12], lines=lines)
