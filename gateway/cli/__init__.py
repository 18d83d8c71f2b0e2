"""pii-gateway's command line: one module per command group, each adding its
parsers (serve, demo, policy, keys, limits, audit, scan)."""

from __future__ import annotations

import argparse
import sys

from gateway.cli import audit, demo, keys, limits, policy, scan, serve


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pii-gateway", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    serve.add_parser(sub)
    demo.add_parsers(sub)
    policy.add_parsers(sub)
    keys.add_parsers(sub)
    limits.add_parsers(sub)
    audit.add_parsers(sub)
    scan.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "workers", 1) < 1:
        print("--workers must be >= 1", file=sys.stderr)
        return 2
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
