"""`pii-gateway keys ...`: keys for the protection pipeline and the key store.

`keys hash-key FILE` writes a new random key for the `hash` operator (32
bytes, hex, mode 0600, never overwriting). `keys api-key-hash --salt S` reads
an API key from stdin and prints the digest that goes into
`actions.roles.api_keys.keys`, so the policy never holds the key itself.
The key store commands are described in keys/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.crypto.devkeys import ensure_dev_keys, write_hash_key
from gateway.crypto.keyring import load_keyring
from gateway.crypto.keystore import (
    MASTER_ENV,
    PURPOSES,
    KeyStore,
    KeyStoreError,
    new_master_file,
    read_master,
)
from gateway.crypto.usage import read_usage
from gateway.operators.reencrypt import Tally, reencrypt
from gateway.policy.cases import policy_files
from gateway.policy.honeytokens import honeytoken_digest
from gateway.policy.loader import PolicyError, load_policy_file
from gateway.protect.roles import api_key_digest


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


def cmd_dev(args: argparse.Namespace) -> int:
    try:
        created = ensure_dev_keys(args.dir)
    except KeyStoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for path in created:
        print(f"created {path} (development only)")
    return 0


def cmd_api_key_hash(args: argparse.Namespace) -> int:
    key = sys.stdin.readline().strip()
    if not key:
        print("give the API key on standard input", file=sys.stderr)
        return 2
    print(api_key_digest(args.salt, key))
    return 0


def cmd_honeytoken(args: argparse.Namespace) -> int:
    """A honeytoken's digest for the policy's `honeytokens:` (value on stdin)."""
    value = sys.stdin.readline().strip()
    if not value:
        print("give the honeytoken's value on standard input", file=sys.stderr)
        return 2
    try:
        kid, key = _store(args).current("hmac")
    except (KeyStoreError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{kid}:{honeytoken_digest(key, args.entity, value)}")
    return 0


def _store(args: argparse.Namespace, create: bool = False) -> KeyStore:
    master = read_master(args.master_key_file)
    if create:
        return KeyStore.init(args.store, master)
    return KeyStore.open(args.store, master)


def _usage_file(args: argparse.Namespace) -> Path:
    given: Path | None = args.usage_file
    return given if given is not None else Path(args.store).with_name("usage.json")


def _decrypting_policies(store: Path, files: list[Path]) -> list[str]:
    """The policies among `files` that decrypt with this key store."""
    found = []
    for file in files:
        try:
            model = load_policy_file(file).model
        except PolicyError:
            continue
        if model.keys.store is None or (file.parent / model.keys.store).resolve() != \
                store.resolve():
            continue
        if any(rule.operator == "decrypt" for rule in model.actions.rules):
            found.append(str(file))
    return found


def _destroy(store: KeyStore, args: argparse.Namespace) -> None:
    record = next((r for r in store.records if r.kid == args.kid), None)
    if record is not None and record.state == "retired" and not args.force:
        files = args.policy or policy_files(Path("policies"))
        users = (_decrypting_policies(args.store, files)
                 if record.purpose in ("encrypt", "deterministic") else [])
        if record.purpose == "audit":
            users = ["audit files chained under this key"]
        if users:
            raise KeyStoreError(f"{args.kid} may still decrypt stored values ({', '.join(users)}"
                                "); re-encrypt them (`keys reencrypt`) first, or --force")
    store.destroy(args.kid, force=True)


def _reencrypt(args: argparse.Namespace) -> int:
    keys = load_keyring(args.store, args.master_key_file, _usage_file(args))
    tally = Tally()
    try:
        for line in reencrypt(keys, sys.stdin, tally):
            print(line)
    finally:
        keys.usage.flush()
    print(f"re-encrypted {tally.done}, undecryptable {tally.failed}, malformed lines "
          f"{tally.malformed}", file=sys.stderr)
    return 0 if tally.failed == tally.malformed == 0 else 1


def cmd_store(args: argparse.Namespace) -> int:
    """init, rotate, list, destroy, rewrap and reencrypt on the key store."""
    try:
        if args.keys_command == "new-master-key":
            if args.if_missing and args.file.exists():
                return 0
            new_master_file(args.file)
            print(f"wrote {args.file}; keep it out of the repository and off shared disks")
            return 0
        if args.keys_command == "init" and args.if_missing and args.store.exists():
            return 0
        if args.keys_command == "reencrypt":
            return _reencrypt(args)
        store = _store(args, create=args.keys_command == "init")
        if args.keys_command == "rotate":
            record = store.rotate(args.purpose)
            print(f"new current {record.purpose} key {record.kid}; reload the gateway "
                  "(SIGHUP, or it notices the file) to encrypt with it")
            if record.purpose == "fpe":
                print("FPE values carry no key id: re-encrypt stored ones with `keys "
                      "reencrypt` (\"scheme\": \"fpe\", \"kid\": the old key)", file=sys.stderr)
        elif args.keys_command == "destroy":
            _destroy(store, args)
            print(f"destroyed {args.kid}")
        elif args.keys_command == "rewrap":
            store.rewrap(read_master(args.new_master_key_file))
            print(f"re-wrapped {len(store.records)} keys under the new master key")
        elif args.keys_command == "init":
            print(f"created {args.store} with one current key per purpose")
        uses = read_usage(_usage_file(args))
        for row in store.listing(uses) if args.keys_command in ("list", "init") else []:
            print(f"{row['kid']:14} {row['purpose']:14} {row['state']:10} {row['created']} "
                  f"uses={row['uses']}")
    except FileExistsError as exc:
        print(f"{exc.filename} exists; keys are never overwritten", file=sys.stderr)
        return 1
    except (KeyStoreError, OSError) as exc:
        message = str(exc) if isinstance(exc, KeyStoreError) else f"cannot use {exc.filename}"
        print(message, file=sys.stderr)
        return 1
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="key tools")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    for name, text in (("init", "create the key store (one current key per purpose)"),
                       ("list", "key ids, purposes, states and use counts (never key material)"),
                       ("rotate", "a new current key for a purpose; the old one is retired"),
                       ("destroy", "destroy a retired key"),
                       ("rewrap", "re-wrap every key under a new master key"),
                       ("reencrypt", "re-encrypt ciphertexts (JSON lines on stdin) under the "
                                     "current keys")):
        c = ksub.add_parser(name, help=text)
        c.add_argument("--store", type=Path, default=Path("keys/keystore.json"))
        c.add_argument("--master-key-file", type=Path,
                       help=f"default: the {MASTER_ENV} environment variable")
        c.add_argument("--usage-file", type=Path,
                       help="encryption counts (default: usage.json beside the store)")
        c.set_defaults(func=cmd_store)
        if name == "rotate":
            c.add_argument("--purpose", required=True, choices=sorted(PURPOSES))
        elif name == "destroy":
            c.add_argument("kid")
            c.add_argument("--force", action="store_true")
            c.add_argument("--policy", type=Path, action="append",
                           help="policies that must not need the key (default: policies/)")
        elif name == "rewrap":
            c.add_argument("--new-master-key-file", type=Path, required=True)
        elif name == "init":
            c.add_argument("--if-missing", action="store_true", help="exit 0 if the store exists")
    t = ksub.add_parser("honeytoken", help="digest of a honeytoken value (read from stdin)")
    t.add_argument("--entity", required=True, help="its entity type, e.g. CN_RESIDENT_ID")
    t.add_argument("--store", type=Path, default=Path("keys/keystore.json"))
    t.add_argument("--master-key-file", type=Path,
                   help=f"default: the {MASTER_ENV} environment variable")
    t.set_defaults(func=cmd_honeytoken)
    m = ksub.add_parser("new-master-key", help="create a master key file (development)")
    m.add_argument("file", type=Path)
    m.add_argument("--if-missing", action="store_true", help="exit 0 if the file exists")
    m.set_defaults(func=cmd_store)
    h = ksub.add_parser("hash-key", help="create the secret key of the hash operator")
    h.add_argument("file", type=Path)
    h.add_argument("--if-missing", action="store_true", help="exit 0 if the file exists")
    h.set_defaults(func=cmd_hash_key)
    d = ksub.add_parser("dev", help="development keys for the bundled policies, if missing")
    d.add_argument("--dir", type=Path, default=Path("keys"))
    d.set_defaults(func=cmd_dev)
    a = ksub.add_parser("api-key-hash", help="digest of an API key (read from stdin)")
    a.add_argument("--salt", required=True)
    a.set_defaults(func=cmd_api_key_hash)
