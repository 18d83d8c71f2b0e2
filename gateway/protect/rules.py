"""Compiled protection rules, and the plan for one (route, method, direction, role).

A rule says where (routes, methods, direction, caller roles, field
selectors), what (entity types; none listed with fields given means the whole
field, whatever the detector says) and which operator. For a finding, the
first rule that matches wins; no rule means the direction's default operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.cache import BoundedCache
from gateway.codecs.base import FieldPath
from gateway.crypto.keyring import KeyRing
from gateway.detect.classes import Catalog, DataClass, packaged
from gateway.operators.base import FIELD, Operator, OperatorContext
from gateway.operators.registry import build_operator
from gateway.policy.actions import ActionsModel
from gateway.protect.fields import FieldSelector
from gateway.protect.roles import RoleResolver

WHOLE_FIELD = FIELD
# Operators that read a whole stored field (a ciphertext is never a detector finding).
WHOLE_FIELD_ONLY = frozenset({"decrypt"})


class ActionsError(ValueError):
    """A problem in the `actions:` section, at `loc` inside it."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


@dataclass(frozen=True, slots=True)
class CompiledRule:
    name: str
    routes: frozenset[str] | None
    methods: frozenset[str] | None
    directions: frozenset[str]
    roles: frozenset[str] | None
    fields: tuple[FieldSelector, ...] | None
    entities: frozenset[str] | None
    operator: Operator
    record_key: str | None = None  # the encryption binding's record key, if any
    # `classes:` data classes, levels (C2) or level.category (C2.identity), and
    # the catalog that classifies a path; a rule with both fields and classes
    # covers a path that either selects
    classes: tuple[str, ...] | None = None
    catalog: Catalog | None = field(default=None, repr=False, compare=False)

    @property
    def whole_field(self) -> bool:
        return (self.fields is not None or self.classes is not None) and self.entities is None

    def applies(self, route: str, method: str, direction: str, role: str) -> bool:
        return ((self.routes is None or route in self.routes)
                and (self.methods is None or method in self.methods)
                and direction in self.directions
                and (self.roles is None or role in self.roles))

    def covers(self, path: FieldPath) -> bool:
        if self.fields is None and self.classes is None:
            return True
        if self.fields is not None and any(s.matches(path) for s in self.fields):
            return True
        return self.classes is not None and self._classified(path)

    def _classified(self, path: FieldPath) -> bool:
        assert self.catalog is not None
        assert self.classes is not None
        found: DataClass | None = self.catalog.classify(path)
        return found is not None and any(found.selected_by(s) for s in self.classes)


@dataclass(slots=True)
class RulePlan:
    """The rules in force for one kind of message, with per-path caches."""

    rules: tuple[CompiledRule, ...]
    default: Operator
    data_class: str = ""  # the route's: part of every ciphertext's context
    record_keys: frozenset[str] = frozenset()
    _field_cache: BoundedCache[FieldPath, CompiledRule | None] = field(
        default_factory=lambda: BoundedCache(65536), compare=False)
    native: Any = None  # the JSON hot path's plan (protect/native_json.py), made on first use

    def field_rule(self, path: FieldPath) -> CompiledRule | None:
        """The first whole-field rule that covers this path."""
        try:
            return self._field_cache[path]
        except KeyError:
            pass
        return self._field_cache.put(
            path, next((r for r in self.rules if r.whole_field and r.covers(path)), None))

    def rule_for(self, entity: str, path: FieldPath) -> CompiledRule | None:
        """The rule that decides a finding, or None for the default operator."""
        for rule in self.rules:
            if rule.whole_field:
                continue
            if (rule.entities is None or entity in rule.entities) and rule.covers(path):
                return rule
        return None


@dataclass(frozen=True, slots=True)
class Protection:
    """Everything the pipeline needs from the `actions:` section."""

    roles: RoleResolver
    rules: tuple[CompiledRule, ...]
    defaults: dict[str, Operator]
    file_types: frozenset[str] | None  # None: any file part may pass
    header_names: frozenset[str] = frozenset()  # lower-case
    cookie_names: frozenset[str] = frozenset()
    data_classes: Mapping[str, str] = field(default_factory=dict)  # route -> data class
    _plans: dict[tuple[str, str, str, str], RulePlan] = field(default_factory=dict)

    def plan(self, route: str, method: str, direction: str, role: str) -> RulePlan:
        key = (route, method, direction, role)
        plan = self._plans.get(key)
        if plan is None:
            rules = tuple(r for r in self.rules if r.applies(route, method, direction, role))
            plan = RulePlan(rules, self.defaults[direction], self.data_classes.get(route, route),
                            frozenset(r.record_key for r in rules if r.record_key))
            if len(self._plans) < 4096:
                self._plans[key] = plan
        return plan


def _hash_key(model: ActionsModel, policy_dir: Path) -> bytes | None:
    if model.hash_key_file is None:
        return None
    path = policy_dir / model.hash_key_file
    try:
        key = path.read_bytes().strip()
    except OSError:
        raise ActionsError(("hash_key_file",), f"cannot read {path} (create it with "
                           "`pii-gateway keys hash-key FILE`)") from None
    if len(key) < 32:
        raise ActionsError(("hash_key_file",), "the key must be at least 32 bytes")
    return key


def compile_actions(model: ActionsModel, policy_dir: Path, routes: Mapping[str, str],
                    entities: set[str], keys: KeyRing | None = None,
                    catalog: Catalog | None = None) -> Protection:
    """`routes`: route name -> data class; `catalog`: the data classes (the
    packaged ones when None). Raises ActionsError at the first problem."""
    catalog = catalog if catalog is not None else packaged()
    context = OperatorContext(hash_key=_hash_key(model, policy_dir), keys=keys, catalog=catalog)
    rules = []
    for i, rule in enumerate(model.rules):
        unknown_routes = sorted(set(rule.routes or ()) - set(routes))
        if unknown_routes:
            raise ActionsError(("rules", i, "routes"), f"unknown routes {unknown_routes}")
        unknown = sorted(set(rule.entities or ()) - entities)
        if unknown:
            raise ActionsError(("rules", i, "entities"), f"unknown entity types {unknown}")
        try:
            operator = build_operator(rule.operator, rule.params, context)
        except ValueError as exc:
            raise ActionsError(("rules", i, "operator"), str(exc)) from None
        try:
            selectors = (tuple(FieldSelector.parse(f) for f in rule.fields)
                         if rule.fields is not None else None)
        except ValueError as exc:
            raise ActionsError(("rules", i, "fields"), str(exc)) from None
        unknown = catalog.check_selectors(rule.classes or ())
        if unknown:
            raise ActionsError(("rules", i, "classes"), f"unknown data classes {unknown} "
                               "(a class name, a level such as C2, or C2.identity)")
        if operator.name in WHOLE_FIELD_ONLY and (rule.fields is None or rule.entities):
            raise ActionsError(("rules", i, "operator"), f"{operator.name} works on whole "
                               "fields: give `fields` and no `entities`")
        binding = getattr(operator, "binding", None)
        directions = {"request", "response"} if rule.direction == "both" else {rule.direction}
        rules.append(CompiledRule(
            name=rule.name,
            routes=frozenset(rule.routes) if rule.routes is not None else None,
            methods=frozenset(m.upper() for m in rule.methods) if rule.methods else None,
            directions=frozenset(directions),
            roles=frozenset(rule.roles) if rule.roles is not None else None,
            fields=selectors,
            entities=frozenset(rule.entities) if rule.entities is not None else None,
            operator=operator,
            record_key=getattr(binding, "record_key", None),
            classes=tuple(rule.classes) if rule.classes is not None else None,
            catalog=catalog,
        ))
    defaults = {}
    for direction in ("request", "response"):
        name = getattr(model.defaults, direction)
        try:
            if name in WHOLE_FIELD_ONLY:
                raise ValueError(f"{name} works on whole fields: use it in a rule with fields")
            defaults[direction] = build_operator(name, {}, context)
        except ValueError as exc:
            raise ActionsError(("defaults", direction), str(exc)) from None
    files = model.multipart_files
    file_types = (None if files == "allow" else frozenset() if files == "block"
                  else frozenset(t.lower() for t in files))
    return Protection(RoleResolver.of(model.roles), tuple(rules), defaults, file_types,
                      frozenset(h.lower() for h in model.inspect_headers),
                      frozenset(c.lower() for c in model.inspect_cookies),
                      dict(routes))
