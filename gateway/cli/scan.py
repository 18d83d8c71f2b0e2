"""`pii-gateway scan FILE`: personal data in captured traffic, for CI
(gateway/detect/capture.py reads and scans; exit 1 when anything was found,
2 when the file cannot be read)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from gateway.detect import default_detector
from gateway.detect.capture import read_messages, scan


def cmd_scan(args: argparse.Namespace) -> int:
    detector = default_detector()
    if args.policy is not None:
        from gateway.policy.compiled import NO_UPSTREAM, compile_file
        detector = compile_file(args.policy, NO_UPSTREAM).detector
    try:
        found, skipped = scan(read_messages(args.file), detector)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"{args.file}: cannot read ({exc})", file=sys.stderr)
        return 2
    for (path, direction, reason), n in sorted(skipped.items()):
        print(f"not inspected: {path} {direction}: {reason} (x{n})")
    for (path, direction, field, entity), n in sorted(found.items()):
        print(f"{path} {direction} {field} {entity} x{n}")
    total = sum(found.values())
    entities = Counter[str]()
    for (_, _, _, entity), n in found.items():
        entities[entity] += n
    summary = ", ".join(f"{e} {n}" for e, n in entities.most_common()) or "none"
    print(f"{total} finding(s) of unprotected personal data: {summary}")
    return 1 if total else 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("scan", help="find personal data in a HAR or JSONL capture")
    s.add_argument("file", type=Path)
    s.add_argument("--policy", type=Path, help="use this policy's detection settings")
    s.set_defaults(func=cmd_scan)
