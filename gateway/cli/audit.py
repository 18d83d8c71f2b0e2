"""`pii-gateway audit verify|search`: check the trail, and ask who saw a value.

`verify FILE...` exits 1 and names the first altered place of each chain.
`search FILE... --entity CN_RESIDENT_ID` reads one value from standard input
(so it stays out of shell history) and lists the `pii.revealed` events whose
keyed digests contain it: who saw it in full, when, through which route.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gateway.audit import events
from gateway.audit.verify import read, verify
from gateway.audit.writer import value_digest, value_key
from gateway.crypto.keystore import MASTER_ENV, KeyStore, KeyStoreError, read_master


def _store(args: argparse.Namespace) -> KeyStore:
    return KeyStore.open(args.store, read_master(args.master_key_file))


def cmd_audit(args: argparse.Namespace) -> int:
    try:
        store = _store(args)
    except (KeyStoreError, OSError) as exc:
        print(str(exc) if isinstance(exc, KeyStoreError) else f"cannot read {exc.filename}",
              file=sys.stderr)
        return 2
    try:
        if args.audit_command == "verify":
            return _verify(args, store)
        return _search(args, store)
    except OSError as exc:
        print(f"cannot read {exc.filename}", file=sys.stderr)
        return 2


def _audit_key(store: KeyStore, kid: str) -> bytes | None:
    record = next((r for r in store.records if r.kid == kid), None)
    return store.get(kid) if record is not None and record.purpose == "audit" else None


def _verify(args: argparse.Namespace, store: KeyStore) -> int:
    checked, problems = verify(args.files, lambda kid: _audit_key(store, kid), args.allow_open)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"ok: {checked} records, every chain intact")
    return 0


def _search(args: argparse.Namespace, store: KeyStore) -> int:
    value = sys.stdin.readline().strip()
    if not value:
        print("give the value on standard input", file=sys.stderr)
        return 2
    digests = {r.kid: value_digest(value_key(k), args.entity, value)
               for r in store.records if r.purpose == "audit" and (k := store.get(r.kid))}
    found = 0
    for entries in read(args.files).values():
        for entry in entries:
            record = entry.record or {}
            if record.get("event") != events.REVEALED:
                continue
            wanted = digests.get(str(record.get("kid")))
            for item in record.get("fields", []):
                if item.get("entity") == args.entity and wanted in item.get("digests", []):
                    found += 1
                    shown = {k: record.get(k) for k in ("ts", "role", "caller", "client", "route",
                                                        "method", "request_id", "trace_id")}
                    print(json.dumps({**shown, "field": item.get("field")}, ensure_ascii=False))
    print(f"{found} reveal(s) of this value", file=sys.stderr)
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="verify the audit trail; who saw a value in full")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    verify_p = asub.add_parser("verify", help="report the first altered record of each chain")
    verify_p.add_argument("--allow-open", action="store_true",
                          help="accept a chain whose writer has not closed it yet")
    search = asub.add_parser("search", help="reveal events of a value read from stdin")
    search.add_argument("--entity", required=True, help="entity type, e.g. CN_RESIDENT_ID")
    for p in (verify_p, search):
        p.add_argument("files", nargs="+", type=Path)
        p.add_argument("--store", type=Path, default=Path("keys/keystore.json"))
        p.add_argument("--master-key-file", type=Path,
                       help=f"default: the {MASTER_ENV} environment variable")
        p.set_defaults(func=cmd_audit)
