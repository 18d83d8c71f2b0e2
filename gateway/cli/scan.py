"""`pii-gateway scan FILE`: personal data in captured traffic, for CI
(gateway/detect/capture.py reads and scans). Text, JSON or SARIF 2.1.0 output;
`--baseline` accepts findings already known (a previous `--format json`
output), `--fail-on` limits which entity types fail the run. Exit 1 when a
finding that is not in the baseline (and is of a `--fail-on` type) was found,
2 when a file cannot be read."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from gateway.cli.reports import Finding, sarif_text
from gateway.detect import default_detector
from gateway.detect.capture import read_messages, scan


def _load_baseline(path: Path) -> set[Finding]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(f["request"], f["direction"], f["field"], f["entity"]) for f in data["findings"]}


def as_json(found: Counter[Finding], skipped: Counter[tuple[str, str, str]],
            accepted: int) -> dict[str, Any]:
    return {
        "findings": [{"request": r, "direction": d, "field": f, "entity": e, "count": n}
                     for (r, d, f, e), n in sorted(found.items())],
        "not_inspected": [{"request": r, "direction": d, "reason": why, "count": n}
                          for (r, d, why), n in sorted(skipped.items())],
        "total": sum(found.values()),
        "baselined": accepted,
    }


def cmd_scan(args: argparse.Namespace) -> int:
    detector = default_detector()
    if args.policy is not None:
        from gateway.policy.compiled import NO_UPSTREAM, compile_file
        detector = compile_file(args.policy, NO_UPSTREAM).detector
    try:
        found, skipped = scan(read_messages(args.file), detector)
        baseline = _load_baseline(args.baseline) if args.baseline else set()
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    new = Counter({k: n for k, n in found.items() if k not in baseline})
    accepted = sum(found.values()) - sum(new.values())
    if args.format == "sarif":
        print(sarif_text(found, str(args.file), baseline if args.baseline else None))
    elif args.format == "json":
        print(json.dumps(as_json(new, skipped, accepted), ensure_ascii=False, indent=2))
    else:
        _print_text(new, skipped, accepted)
    failing = [e for (_, _, _, e) in new if args.fail_on is None or e in args.fail_on]
    return 1 if failing else 0


def _print_text(found: Counter[Finding], skipped: Counter[tuple[str, str, str]],
                accepted: int) -> None:
    for (path, direction, reason), n in sorted(skipped.items()):
        print(f"not inspected: {path} {direction}: {reason} (x{n})")
    for (path, direction, field, entity), n in sorted(found.items()):
        print(f"{path} {direction} {field} {entity} x{n}")
    entities = Counter[str]()
    for (_, _, _, entity), n in found.items():
        entities[entity] += n
    summary = ", ".join(f"{e} {n}" for e, n in entities.most_common()) or "none"
    print(f"{sum(found.values())} finding(s) of unprotected personal data: {summary}"
          + (f" ({accepted} more accepted by the baseline)" if accepted else ""))


def _entities(text: str) -> frozenset[str]:
    return frozenset(e.strip() for e in text.split(",") if e.strip())


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("scan", help="find personal data in a HAR or JSONL capture")
    s.add_argument("file", type=Path)
    s.add_argument("--policy", type=Path, help="use this policy's detection settings")
    s.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    s.add_argument("--baseline", type=Path,
                   help="accept the findings in this file (a previous --format json output)")
    s.add_argument("--fail-on", type=_entities, metavar="ENTITY,...",
                   help="exit 1 only for new findings of these entity types")
    s.set_defaults(func=cmd_scan)
