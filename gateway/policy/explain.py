"""What a policy would find and do to a sample body (`pii-gateway policy explain`).

Prints one line per decision: field path, entity type, score, the rule that
decides (or `default`), the operator, and a preview of the value that is
always masked, whatever the operator, so the output is safe to paste into a
ticket. Nothing is sent anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.codecs.base import FieldPath, render_path
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


def explain(policy_path: Path, route_path: str, method: str, direction: str, role: str,
            body: bytes, content_type: str, encoding: str | None = None,
            ) -> tuple[str, list[Decision], str | None]:
    """(route name, decisions, block message or None). Raises PolicyError,
    CodecError, LookupError (no route)."""
    policy = compile_file(policy_path, NO_UPSTREAM)
    route = policy.route_for(method, None, route_path)
    if route is None:
        raise LookupError(f"no route matches {method} {route_path}")
    plan = policy.protection.plan(route.name, method, direction, role)
    decisions: list[Decision] = []

    def record(path: FieldPath, entity: str, score: float, rule: str, operator: str,
               text: str) -> None:
        decisions.append(Decision(render_path(path), entity, round(score, 2), rule, operator,
                                  _PREVIEW.apply(text, entity, Site("", path))))

    document = decode_body(decode_content(body, encoding, route.max_body_bytes), content_type)
    blocked = None
    try:
        protect(document, plan, policy.detector, trace=record)
    except FieldBlocked as exc:
        blocked = f"blocked ({exc.rule_status}): {exc.entity} in field {exc.path}"
    return route.name, decisions, blocked
