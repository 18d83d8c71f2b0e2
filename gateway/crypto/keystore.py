"""The key store: data keys per purpose, wrapped by a master key, in one file.

`keys/keystore.json` lists every data key with its id, purpose, creation time,
state (`current`, `retired`, `destroyed`), and the key itself
wrapped with AES-256-GCM under the master key (associated data: key id and
purpose, so a wrapped key cannot be relabelled). Without the master key the
file is useless. One current key per purpose; retired keys stay for
decryption until destroyed. Each purpose has its own keys: a key is never used
for two purposes.

The master key comes from `PII_GATEWAY_MASTER_KEY` (64 hex characters) or a
file. The gateway loads the store with the policy (`keyring.py`); use counts
are kept apart, in the usage file (`usage.py`), since the store may be
mounted read-only.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PURPOSES = {"encrypt": 32, "deterministic": 64, "fpe": 32, "hmac": 32, "audit": 32}
MASTER_ENV = "PII_GATEWAY_MASTER_KEY"


class KeyStoreError(Exception):
    """A clear, secret-free message for the operator."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    kid: str
    purpose: str
    created: str
    state: str
    wrapped: str  # hex of nonce || AES-GCM(master, key, aad=kid|purpose)


def read_master(path: Path | None) -> bytes:
    raw = os.environ.get(MASTER_ENV) if path is None else path.read_text().strip()
    if raw is None:
        raise KeyStoreError(f"no master key: set {MASTER_ENV} or give a master key file")
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError:
        raise KeyStoreError("the master key must be 64 hex characters") from None
    if len(key) != 32:
        raise KeyStoreError("the master key must be 64 hex characters")
    return key


def new_master_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")


def read_store(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyStoreError(f"no key store at {path}: run `pii-gateway keys init`") from None
    except OSError:
        raise KeyStoreError(f"cannot read the key store {path}") from None


def _aad(kid: str, purpose: str) -> bytes:
    return f"{kid}|{purpose}".encode()


def _wrap(master: bytes, kid: str, purpose: str, key: bytes) -> str:
    nonce = os.urandom(12)
    return (nonce + AESGCM(master).encrypt(nonce, key, _aad(kid, purpose))).hex()


def _unwrap(master: bytes, record: KeyRecord) -> bytes:
    data = bytes.fromhex(record.wrapped)
    try:
        return AESGCM(master).decrypt(data[:12], data[12:], _aad(record.kid, record.purpose))
    except InvalidTag:
        raise KeyStoreError("the master key does not open this key store "
                            "(wrong PII_GATEWAY_MASTER_KEY or master key file?)") from None


class KeyStore:
    def __init__(self, path: Path, master: bytes, records: list[KeyRecord]) -> None:
        self.path = path
        self._master = master
        self.records = records
        self._keys = {r.kid: _unwrap(master, r) for r in records if r.state != "destroyed"}

    # --- reading -------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, master: bytes) -> KeyStore:
        return cls.parse(path, read_store(path), master)

    @classmethod
    def parse(cls, path: Path, raw: bytes, master: bytes) -> KeyStore:
        try:
            data = json.loads(raw.decode("utf-8"))
            records = [KeyRecord(**item) for item in data["keys"]]
        except (ValueError, KeyError, TypeError):
            raise KeyStoreError(f"{path} is not a key store") from None
        return cls(path, master, records)

    def current(self, purpose: str) -> tuple[str, bytes]:
        for record in self.records:
            if record.purpose == purpose and record.state == "current":
                return record.kid, self._keys[record.kid]
        raise KeyStoreError(f"no current key for purpose {purpose}")

    def get(self, kid: str) -> bytes | None:
        return self._keys.get(kid)

    # --- changing -------------------------------------------------------------
    @classmethod
    def init(cls, path: Path, master: bytes) -> KeyStore:
        if path.exists():
            raise KeyStoreError(f"{path} exists; rotate keys instead of starting over")
        store = cls(path, master, [])
        for purpose in PURPOSES:
            store._add(purpose)
        store.save()
        return store

    def _add(self, purpose: str) -> KeyRecord:
        key = secrets.token_bytes(PURPOSES[purpose])
        kid = f"{purpose[:3]}-{secrets.token_hex(4)}"
        record = KeyRecord(kid, purpose, datetime.now(UTC).isoformat(timespec="seconds"),
                           "current", _wrap(self._master, kid, purpose, key))
        self.records.append(record)
        self._keys[kid] = key
        return record

    def rotate(self, purpose: str) -> KeyRecord:
        if purpose not in PURPOSES:
            raise KeyStoreError(f"unknown purpose; expected one of {sorted(PURPOSES)}")
        self.records = [replace(r, state="retired")
                        if r.purpose == purpose and r.state == "current" else r
                        for r in self.records]
        record = self._add(purpose)
        self.save()
        return record

    def destroy(self, kid: str, force: bool = False) -> None:
        record = next((r for r in self.records if r.kid == kid), None)
        if record is None or record.state == "destroyed":
            raise KeyStoreError(f"no key {kid} to destroy")
        if record.state == "current":
            raise KeyStoreError(f"{kid} is the current {record.purpose} key; rotate first")
        if not force:
            raise KeyStoreError(f"{kid} may still decrypt stored data; re-encrypt it first, "
                                "then destroy with --force")
        self.records = [replace(r, state="destroyed", wrapped="") if r.kid == kid else r
                        for r in self.records]
        self._keys.pop(kid, None)
        self.save()

    def rewrap(self, new_master: bytes) -> None:
        self.records = [replace(r, wrapped=_wrap(new_master, r.kid, r.purpose, self._keys[r.kid]))
                        if r.state != "destroyed" else r for r in self.records]
        self._master = new_master
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": 1, "keys": [asdict(r) for r in self.records]}, out, indent=1)
        os.replace(tmp, self.path)

    def listing(self, uses: dict[str, int] | None = None) -> list[dict[str, object]]:
        """Metadata only: never key material, wrapped or not. `uses`: encryption
        counts from the usage file."""
        return [{"kid": r.kid, "purpose": r.purpose, "created": r.created, "state": r.state,
                 "uses": (uses or {}).get(r.kid, 0)} for r in self.records]
