"""`pii-gateway keys ...`: keys for the protection pipeline and the key store.

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

from gateway.crypto.keystore import (
    MASTER_ENV,
    PURPOSES,
    KeyStore,
    KeyStoreError,
    new_master_file,
    read_master,
)
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


def _store(args: argparse.Namespace, create: bool = False) -> KeyStore:
    master = read_master(args.master_key_file)
    if create:
        return KeyStore.init(args.store, master)
    return KeyStore.open(args.store, master)


def cmd_store(args: argparse.Namespace) -> int:
    """init, rotate, list, destroy and rewrap on the key store."""
    try:
        if args.keys_command == "new-master-key":
            new_master_file(args.file)
            print(f"wrote {args.file}; keep it out of the repository and off shared disks")
            return 0
        store = _store(args, create=args.keys_command == "init")
        if args.keys_command == "rotate":
            record = store.rotate(args.purpose)
            print(f"new current {record.purpose} key {record.kid}")
        elif args.keys_command == "destroy":
            store.destroy(args.kid, force=args.force)
            print(f"destroyed {args.kid}")
        elif args.keys_command == "rewrap":
            store.rewrap(read_master(args.new_master_key_file))
            print(f"re-wrapped {len(store.records)} keys under the new master key")
        elif args.keys_command == "init":
            print(f"created {args.store} with one current key per purpose")
        for row in store.listing() if args.keys_command in ("list", "init") else []:
            print(f"{row['kid']:14} {row['purpose']:14} {row['state']:10} {row['created']} "
                  f"uses={row['uses']}")
    except FileExistsError as exc:
        print(f"{exc.filename} exists; keys are never overwritten", file=sys.stderr)
        return 1
    except KeyStoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="key tools")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    for name, text in (("init", "create the key store (one current key per purpose)"),
                       ("list", "key ids, purposes, states and use counts (never key material)"),
                       ("rotate", "a new current key for a purpose; the old one is retired"),
                       ("destroy", "destroy a retired key"),
                       ("rewrap", "re-wrap every key under a new master key")):
        c = ksub.add_parser(name, help=text)
        c.add_argument("--store", type=Path, default=Path("keys/keystore.json"))
        c.add_argument("--master-key-file", type=Path,
                       help=f"default: the {MASTER_ENV} environment variable")
        c.set_defaults(func=cmd_store)
        if name == "rotate":
            c.add_argument("--purpose", required=True, choices=sorted(PURPOSES))
        elif name == "destroy":
            c.add_argument("kid")
            c.add_argument("--force", action="store_true")
        elif name == "rewrap":
            c.add_argument("--new-master-key-file", type=Path, required=True)
    m = ksub.add_parser("new-master-key", help="create a master key file (development)")
    m.add_argument("file", type=Path)
    m.set_defaults(func=cmd_store)
    h = ksub.add_parser("hash-key", help="create the secret key of the hash operator")
    h.add_argument("file", type=Path)
    h.add_argument("--if-missing", action="store_true", help="exit 0 if the file exists")
    h.set_defaults(func=cmd_hash_key)
    a = ksub.add_parser("api-key-hash", help="digest of an API key (read from stdin)")
    a.add_argument("--salt", required=True)
    a.set_defaults(func=cmd_api_key_hash)
