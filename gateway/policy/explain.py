"""What a policy would find and do to a sample body (`pii-gateway policy explain`).

Prints one line per decision: field path, entity type, score, the rule that
decides (or `default`), the operator, the field's data class, and a preview
of the value that is always masked, whatever the operator, so the output is
safe to paste into a ticket; then every field of the body with its data class
(JR/T 0171 level, category and class). Nothing is sent anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.codecs.base import FieldPath, pattern_path, render_path
from gateway.codecs.content_encoding import decode_content
from gateway.codecs.registry import decode_body
from gateway.errors import FieldBlocked
from gateway.operators.mask import Mask
from gateway.operators.site import Site
from gateway.policy.compiled import NO_UPSTREAM, compile_file
from gateway.protect.engine import protect

_PREVIEW = Mask(None, None, "*")


@dataclass(frozen=True, slots=True)
class Decision:
    path: str
    entity: str
    score: float
    rule: str
    operator: str
    preview: str
    data_class: str = "-"  # `C2 identity/birth_date`, or - for none


@dataclass(frozen=True, slots=True)
class Explanation:
    route: str
    decisions: list[Decision]
    blocked: str | None  # the block message, if a rule blocks the message
    classes: dict[str, str]  # field pattern (items[*].idNo) -> data class label


def explain(policy_path: Path, route_path: str, method: str, direction: str, role: str,
            body: bytes, content_type: str, encoding: str | None = None,
            ) -> Explanation:
    """Raises PolicyError, CodecError, LookupError (no route)."""
    policy = compile_file(policy_path, NO_UPSTREAM)
    route = policy.route_for(method, None, route_path)
    if route is None:
        raise LookupError(f"no route matches {method} {route_path}")
    plan = policy.protection.plan(route.name, method, direction, role)
    decisions: list[Decision] = []
    catalog = policy.catalog

    def label(path: FieldPath) -> str:
        found = catalog.classify(path)
        return found.label if found is not None else "-"

    def record(path: FieldPath, entity: str, score: float, rule: str, operator: str,
               text: str) -> None:
        decisions.append(Decision(render_path(path), entity, round(score, 2), rule, operator,
                                  _PREVIEW.apply(text, entity, Site("", path)), label(path)))

    document = decode_body(decode_content(body, encoding, route.max_body_bytes), content_type)
    classes = {pattern_path(leaf.path): label(leaf.path) for leaf in document.leaves()}
    blocked = None
    try:
        protect(document, plan, policy.detector, trace=record)
    except FieldBlocked as exc:
        blocked = f"blocked ({exc.rule_status}): {exc.entity} in field {exc.path}"
    return Explanation(route.name, decisions, blocked,
                       {path: cls for path, cls in classes.items() if cls != "-"})
