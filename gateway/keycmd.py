"""`pii-gateway keys ...`: development keys for the protection pipeline.

`keys hash-key FILE` writes a new random key for the `hash` operator (32
bytes, hex, mode 0600, never overwriting). `keys api-key-hash --salt S` reads
an API key from stdin and prints the digest that goes into
`actions.roles.api_keys.keys`, so the policy never holds the key itself.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from gateway.protect.roles import api_key_digest


def write_hash_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")


def cmd_hash_key(args: argparse.Namespace) -> int:
    try:
        write_hash_key(args.file)
    except FileExistsError:
        if args.if_missing:
            return 0
        print(f"{args.file} exists; keys are never overwritten", file=sys.stderr)
        return 1
    print(f"wrote {args.file}")
    return 0


def cmd_api_key_hash(args: argparse.Namespace) -> int:
    key = sys.stdin.readline().strip()
    if not key:
        print("give the API key on standard input", file=sys.stderr)
        return 2
    print(api_key_digest(args.salt, key))
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="key tools")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    h = ksub.add_parser("hash-key", help="create the secret key of the hash operator")
    h.add_argument("file", type=Path)
    h.add_argument("--if-missing", action="store_true", help="exit 0 if the file exists")
    h.set_defaults(func=cmd_hash_key)
    a = ksub.add_parser("api-key-hash", help="digest of an API key (read from stdin)")
    a.add_argument("--salt", required=True)
    a.set_defaults(func=cmd_api_key_hash)
