"""`pii-gateway policy explain`: what a policy would find and do to a sample body.

Prints one line per decision: field path, entity type, score, the rule that
decides (or `default`), the operator, and a preview of the value that is
always masked, whatever the operator, so the output is safe to paste into a
ticket. Nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from gateway.codecs.base import CodecError, FieldPath, render_path
from gateway.codecs.content_encoding import decode_content
from gateway.codecs.registry import decode_body
from gateway.operators.mask import Mask
from gateway.operators.site import Site
from gateway.policy.compiled import NO_UPSTREAM, compile_file
from gateway.policy.loader import PolicyError
from gateway.protect.engine import FieldBlocked, protect

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
        blocked = f"blocked ({exc.status}): {exc.entity} in field {exc.path}"
    return route.name, decisions, blocked


def cmd_explain(args: argparse.Namespace) -> int:
    body = sys.stdin.buffer.read()
    try:
        route, decisions, blocked = explain(args.policy, args.route, args.method.upper(),
                                            args.direction, args.role, body, args.content_type)
    except PolicyError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 2
    except (CodecError, LookupError) as exc:
        print(getattr(exc, "message", str(exc)), file=sys.stderr)
        return 2
    print(f"route {route}, {args.direction}, role {args.role}: {len(decisions)} decision(s)")
    for d in decisions:
        print(f"  {d.path:40} {d.entity:22} {d.score:4.2f}  {d.rule:24} {d.operator:8} {d.preview}")
    if blocked:
        print(f"  => the message would be {blocked}")
    return 0


def add_parser(policy_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = policy_sub.add_parser("explain", help="show what a policy does to a sample body (stdin)")
    e.add_argument("--policy", type=Path, required=True)
    e.add_argument("--route", required=True, help="request path, e.g. /api/v1/borrowers")
    e.add_argument("--method", default="GET")
    e.add_argument("--direction", choices=("request", "response"), default="response")
    e.add_argument("--role", default="anonymous")
    e.add_argument("--content-type", default="application/json")
    e.set_defaults(func=cmd_explain)
