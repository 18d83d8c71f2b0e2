"""The two paths side by side: the native core and the pure-Python reference
(the codec's Document, `protect`, `encode`), each reduced to what a caller
sees (the new body, counts, values, reveals) or to the error it raises."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from gateway.codecs.base import CodecError, FieldPath, Leaf, key_leaves, pattern_path
from gateway.codecs.registry import decode_body
from gateway.codecs.tables import is_header_key
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.usage import KeyExhausted
from gateway.detect.hints import key_hints
from gateway.errors import FieldBlocked
from gateway.policy.cases import policy_files
from gateway.policy.compiled import CompiledPolicy, compile_policy
from gateway.policy.loader import load_policy_file
from gateway.protect.columns import name_shaped, unnamed
from gateway.protect.engine import REVEALS, Collect, Outcome, protect
from gateway.protect.native_json import inspect_json
from gateway.protect.rules import RulePlan
from gateway.protect.split import is_part_key

ROOT = Path(__file__).resolve().parents[2]


def bundled_policies(folder: Path) -> dict[str, CompiledPolicy]:
    """The shipped policies, compiled against fresh development keys in `folder`."""
    shutil.copytree(ROOT / "policies", folder / "policies")
    ensure_dev_keys(folder / "keys")
    return {path.name: compile_policy(load_policy_file(path), upstream_url="http://127.0.0.1:9")
            for path in policy_files(folder / "policies")}


def plans(policy: CompiledPolicy) -> list[RulePlan]:
    """Every plan the policy makes for a JSON message: each route, role,
    direction, and a reading and a writing method."""
    roles = {"anonymous", "default"} | {r for rule in policy.protection.rules
                                        for r in (rule.roles or ())}
    return [policy.protection.plan(route.name, method, direction, role)
            for route in policy.routes for role in sorted(roles)
            for method, direction in (("GET", "response"), ("POST", "request"),
                                      ("POST", "response"))]


def _seen(outcome: Outcome, body: bytes | None) -> tuple[Any, ...]:
    return ("ok", body, Counter(outcome.counts), outcome.values, outcome.reveals)


def _error(exc: Exception) -> tuple[Any, ...]:
    if isinstance(exc, CodecError):
        return ("codec", exc.code)
    if isinstance(exc, FieldBlocked):
        return ("blocked", exc.status, exc.path, exc.entity)
    if isinstance(exc, KeyExhausted):
        return ("exhausted",)
    raise exc


def python_path(body: bytes, content_type: str, plan: RulePlan, policy: CompiledPolicy,
                collect: Collect) -> tuple[Any, ...]:
    try:
        document = decode_body(body, content_type)
        outcome = protect(document, plan, policy.detector, collect=collect)
        return _seen(outcome, document.encode() if outcome.changed else None)
    except (CodecError, FieldBlocked, KeyExhausted) as exc:
        return _error(exc)


def native_path(body: bytes, content_type: str, plan: RulePlan, policy: CompiledPolicy,
                collect: Collect) -> tuple[Any, ...]:
    try:
        taken = inspect_json(body, content_type, plan, policy.detector, collect)
        if taken is None:  # the core hands bodies with data in their keys to Python
            assert keys_hold_data(body, content_type, policy), "the core did not take a body"
            DECLINED.append(body)
            return python_path(body, content_type, plan, policy, collect)
        new, outcome = taken
        return _seen(outcome, new)
    except (CodecError, FieldBlocked, KeyExhausted) as exc:
        return _error(exc)


DECLINED: list[bytes] = []  # bodies the core handed to the Python path


def keys_hold_data(body: bytes, content_type: str, policy: CompiledPolicy) -> bool:
    """Whether some object key of the body is personal data, by the Python path,
    names a part of a split identifier (`idNo1`, `areaCode`), or a table's
    column names (`columns`, `headers`) hold a non-empty list of strings and
    objects, or a path inside lists holds mostly name-shaped values and no
    meaning by its name (the core's column test)."""
    document = decode_body(body, content_type)
    keys = key_leaves(document)
    if any(is_part_key(k.text) for k in keys) or _may_name_columns(body, content_type):
        return True
    if _loose_name_column(document.leaves(), policy):
        return True
    found = policy.detector.detect_many([(k.text, key_hints(k.path)) for k in keys])
    return any(found)


def _may_name_columns(body: bytes, content_type: str) -> bool:
    """Some header key (`columns`, `headers`) holds a list that may name a
    table's columns: not empty, its items strings, numbers and objects only."""
    def name(item: Any) -> bool:
        return isinstance(item, str | int | float | dict) and not isinstance(item, bool)

    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            return any((is_header_key(k) and isinstance(v, list) and bool(v)
                        and all(map(name, v))) or walk(v) for k, v in value.items())
        return isinstance(value, list) and any(walk(item) for item in value)

    lines = body.splitlines() if "ndjson" in content_type else [body]
    return any(walk(json.loads(line)) for line in lines if line.strip())


def _loose_name_column(leaves: list[Leaf], policy: CompiledPolicy) -> bool:
    """The core's test (JsonPlan._columns): a path inside lists with five or
    more string values, four in five name-shaped and 8 in 25 of three
    characters, that its names leave unnamed; with rules on list positions,
    four name-shaped values anywhere."""
    index_sensitive = any(isinstance(token, int) and token >= 0
                          for rule in policy.protection.rules
                          for selector in (rule.fields or ()) for token in selector.tokens)
    columns: dict[str, list[str]] = {}
    paths: dict[str, FieldPath] = {}
    for leaf in leaves:
        if leaf.number or not any(isinstance(p, int) for p in leaf.path):
            continue
        pattern = pattern_path(leaf.path)
        paths.setdefault(pattern, leaf.path)
        columns.setdefault(pattern, []).append(leaf.text)
    if index_sensitive:
        return sum(name_shaped(t) for texts in columns.values() for t in texts) >= 4
    return any(len(texts) >= 5 and 5 * sum(map(name_shaped, texts)) >= 4 * len(texts)
               and 25 * sum(name_shaped(t) and len(t) == 3 for t in texts) >= 8 * len(texts)
               and unnamed(paths[pattern], policy.detector)
               for pattern, texts in columns.items())


def differences(bodies: list[bytes], content_type: str, policy: CompiledPolicy,
                limit: int = 5) -> list[tuple[Any, ...]]:
    """Where the two paths part, over every plan of the policy, with and without
    collecting reveals, reveals and values (at most `limit` cases, with what
    each path returned).
    Encryption draws random nonces, so ciphertexts are compared by position."""
    found = []
    for plan in plans(policy):
        for collect in (False, REVEALS, True):
            for body in bodies:
                a = _comparable(python_path(body, content_type, plan, policy, collect))
                b = _comparable(native_path(body, content_type, plan, policy, collect))
                if a != b:
                    found.append((plan, collect, body, a, b))
                    if len(found) >= limit:
                        return found
    return found


def _comparable(seen: tuple[Any, ...]) -> tuple[Any, ...]:
    if seen[0] != "ok" or seen[1] is None or b"pgw1" not in seen[1]:
        return seen
    import re
    return (seen[0], re.sub(rb"pgw1d?\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", b"<token>", seen[1]),
            *seen[2:])
