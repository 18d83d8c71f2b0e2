"""`pii-gateway policy check|explain`: validate policy files; show what a
policy would find and do to a sample body (gateway/policy/explain.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.codecs.base import CodecError
from gateway.policy.compiled import NO_UPSTREAM, compile_file
from gateway.policy.explain import explain
from gateway.policy.loader import PolicyError


def cmd_policy_check(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            # Compile too: operators, rules and recognizers are checked there. A
            # missing `default` URL is fine here (serve --upstream supplies it).
            compile_file(path, NO_UPSTREAM)
        except PolicyError as exc:
            failed += 1
            for issue in exc.issues:
                print(issue, file=sys.stderr)
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


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


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pol = sub.add_parser("policy", help="policy tools")
    psub = pol.add_subparsers(dest="policy_command", required=True)
    c = psub.add_parser("check", help="validate policy files; exit 1 on any error")
    c.add_argument("files", nargs="+", type=Path)
    c.set_defaults(func=cmd_policy_check)
    e = psub.add_parser("explain", help="show what a policy does to a sample body (stdin)")
    e.add_argument("--policy", type=Path, required=True)
    e.add_argument("--route", required=True, help="request path, e.g. /api/v1/borrowers")
    e.add_argument("--method", default="GET")
    e.add_argument("--direction", choices=("request", "response"), default="response")
    e.add_argument("--role", default="anonymous")
    e.add_argument("--content-type", default="application/json")
    e.set_defaults(func=cmd_explain)
