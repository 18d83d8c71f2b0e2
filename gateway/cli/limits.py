"""`pii-gateway limits list|unban`: bans and penalties, through the admin listener.

The admin listener answers for the store the gateway uses: its own memory, or
the Redis that every replica shares (then any replica's admin port will do).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request


def _admin(args: argparse.Namespace, path: str, method: str = "GET") -> tuple[int, object]:
    request = urllib.request.Request(f"http://{args.admin}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310 (http only)
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


_KEY = re.compile(r"(?:pgw:pen:)?\{?([0-9a-f]{24})\}?([0-9a-f]{24})?")


def client_of(key: str) -> str | None:
    """The admin API's name for a penalty key as `limits list` shows it:
    `pgw:pen:{<24 hex>}` -> the 24 digits; an address's
    `pgw:pen:{<24 hex>}<24 hex>` -> all 48 (its network's tag, then itself)."""
    found = _KEY.fullmatch(key.strip())
    return None if found is None else found.group(1) + (found.group(2) or "")


def cmd_limits(args: argparse.Namespace) -> int:
    try:
        if args.limits_command == "list":
            _, body = _admin(args, "/limits/penalties")
            rows = body.get("penalties", []) if isinstance(body, dict) else []
            for row in rows:
                print(f"{row['key']}  {row['action']:9} {row['reason']:24} "
                      f"expires in {row['expires_in_s']}s")
            if not rows:
                print("no bans or penalties in force")
            return 0
        client = client_of(args.key)
        if client is None:
            print("a key as `limits list` shows it: pgw:pen:{<24 hex digits>}, or "
                  "pgw:pen:{<24 hex digits>}<24 hex digits> for an address", file=sys.stderr)
            return 2
        status, _ = _admin(args, f"/limits/penalties/{client}", "DELETE")
    except (OSError, ValueError) as exc:
        print(f"cannot reach the admin listener at {args.admin} ({type(exc).__name__})",
              file=sys.stderr)
        return 2
    if status == 200:
        print(f"lifted {args.key}")
        return 0
    print(f"no penalty {args.key}" if status == 404 else f"refused ({status})", file=sys.stderr)
    return 1


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    limits = sub.add_parser("limits", help="bans and penalties of rate limiting")
    lsub = limits.add_subparsers(dest="limits_command", required=True)
    listing = lsub.add_parser("list", help="bans and penalties in force (hashed client keys)")
    unban = lsub.add_parser("unban", help="lift a ban or penalty by its key")
    unban.add_argument("key")
    for p in (listing, unban):
        p.add_argument("--admin", default="127.0.0.1:9901", help="the admin listener")
        p.set_defaults(func=cmd_limits)
