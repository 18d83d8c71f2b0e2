"""Key material for development and tests: the `hash` operator's key, a key
store with its master key, and development TLS certificates (keys/dev-tls/),
created when missing (`pii-gateway keys dev`;
`make demo` and `make test` run it). Never for production keys: those come
from `keys new-master-key` and `keys init` on the machine that keeps them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gateway.crypto.keystore import KeyStore, new_master_file, read_master
from gateway.tls.devcerts import ensure_dev_tls


def write_hash_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")


def ensure_dev_keys(directory: Path) -> list[Path]:
    """Development keys for the bundled policies, created when missing: the
    hash key, a master key file, the key store and development certificates
    (a CA, a server and two partners, for policies/examples/partner-mtls.yaml).
    Returns what it created."""
    created = []
    hash_key, master, store = (directory / "hash.key", directory / "master.key",
                               directory / "keystore.json")
    if not hash_key.exists():
        write_hash_key(hash_key)
        created.append(hash_key)
    if not master.exists():
        new_master_file(master)
        created.append(master)
    if not store.exists():
        KeyStore.init(store, read_master(master))
        created.append(store)
    created += ensure_dev_tls(directory / "dev-tls")
    return created
