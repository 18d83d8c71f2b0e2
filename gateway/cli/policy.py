"""`pii-gateway policy check|explain|test`: validate policy files; show what a
policy would find and do to a sample body (gateway/policy/explain.py); run the
test cases kept beside policies (gateway/policy/cases.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.cli.reports import junit
from gateway.codecs.base import CodecError
from gateway.policy.cases import CaseFileError, FileResult, find_case_files, run_file
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
        result = explain(args.policy, args.route, args.method.upper(), args.direction,
                         args.role, body, args.content_type)
    except PolicyError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 2
    except (CodecError, LookupError) as exc:
        print(getattr(exc, "message", str(exc)), file=sys.stderr)
        return 2
    decisions = result.decisions
    print(f"route {result.route}, {args.direction}, role {args.role}: "
          f"{len(decisions)} decision(s)")
    for d in decisions:
        print(f"  {d.path:40} {d.entity:22} {d.score:4.2f}  {d.rule:28} {d.operator:10} "
              f"{d.data_class:30} {d.preview}")
    if result.blocked:
        print(f"  => the message would be {result.blocked}")
    if result.classes:
        print(f"data classes (JR/T 0171) of the {len(result.classes)} classified field(s):")
        for path, label in result.classes.items():
            print(f"  {path:40} {label}")
    return 0


def cmd_policy_test(args: argparse.Namespace) -> int:
    """Exit 0 when every case passes, 1 when one fails, 2 when a test file or
    its policy cannot be loaded (or there is nothing to run)."""
    done: list[FileResult] = []
    errors: dict[Path, str] = {}
    for path in find_case_files(args.paths):
        try:
            result = run_file(path)
        except CaseFileError as exc:
            errors[path] = str(exc)
        except PolicyError as exc:
            errors[path] = "; ".join(str(i) for i in exc.issues)
        else:
            done.append(result)
            _print_file(result)
    for message in errors.values():
        print(message, file=sys.stderr)
    if args.junit is not None:
        args.junit.write_bytes(junit(done, errors))
    cases = [c for f in done for c in f.results]
    failed = sum(not c.passed for c in cases)
    print(f"{failed} failed, {len(cases) - failed} passed"
          + (f", {len(errors)} file(s) not loaded" if errors else ""))
    if errors or not cases:
        return 2
    return 1 if failed else 0


def _print_file(result: FileResult) -> None:
    print(f"{result.path} ({result.policy}): {len(result.results)} case(s)")
    for case in result.results:
        print(f"  {'ok  ' if case.passed else 'FAIL'}  {case.name}")
        for failure in case.failures:
            print(f"        {failure}")


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
    t = psub.add_parser("test", help="run policy test cases (*.tests.yaml); exit 1 on a failure")
    t.add_argument("paths", nargs="*", type=Path, default=[Path("policies")],
                   help="test files or directories to search (default: policies/)")
    t.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    t.set_defaults(func=cmd_policy_test)
