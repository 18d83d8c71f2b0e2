"""The keys one compiled policy encrypts and decrypts with.

Built at policy load from the key store (`keys:` section): the current key of
each purpose encrypts; any key of the token's purpose that is not destroyed
decrypts, so rotation keeps old ciphertexts readable. A key id is only ever
looked up within its purpose. Encryptions are counted (`usage.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gateway.crypto.envelope import DETERMINISTIC, RANDOM, Ciphers, Unsealable, open_sealed
from gateway.crypto.keystore import KeyStore, KeyStoreError, read_master, read_store
from gateway.crypto.usage import KeyUsage, usage_for

# Purposes whose keys are AES-GCM with random nonces: their use is limited.
LIMITED = frozenset({"encrypt"})

# A sealed token's scheme -> the purpose of the keys it is sealed under.
TOKEN_PURPOSE = {RANDOM: "encrypt", DETERMINISTIC: "deterministic"}


@dataclass(frozen=True, slots=True)
class KeyRing:
    store_path: Path
    digest: str  # of the key store file: part of the policy version, so rotation reloads
    current_ids: dict[str, str]  # purpose -> kid
    _keys: dict[str, tuple[str, bytes]] = field(repr=False)  # kid -> (purpose, key)
    usage: KeyUsage = field(repr=False)
    ciphers: Ciphers = field(default_factory=Ciphers, repr=False, compare=False)

    def current(self, purpose: str) -> tuple[str, bytes]:
        kid = self.current_ids.get(purpose)
        if kid is None:
            raise KeyStoreError(f"the key store has no current {purpose} key")
        return kid, self._keys[kid][1]

    def for_encryption(self, purpose: str) -> tuple[str, bytes]:
        """The current key, counted (KeyExhausted past the limit)."""
        kid, key = self.current(purpose)
        self.usage.count(kid, purpose, purpose in LIMITED)
        return kid, key

    def get(self, kid: str, purpose: str) -> bytes | None:
        found = self._keys.get(kid)
        if found is None or found[0] != purpose:
            return None
        return found[1]

    def open(self, token: str, context: Sequence[str]) -> str:
        """The plaintext of a `pgw1.`/`pgw1d.` token under this ring's key of
        the token's purpose; Unsealable on any failure (the one place a token
        is opened: decrypt, encrypt's already-sealed check, reencrypt)."""
        purpose = TOKEN_PURPOSE.get(token.partition(".")[0])
        if purpose is None:
            raise Unsealable
        return open_sealed(token, lambda kid: self.get(kid, purpose), context, self.ciphers)


def load_keyring(store: Path, master_file: Path | None, usage_file: Path | None) -> KeyRing:
    """KeyStoreError with a clear, secret-free message on any problem."""
    try:
        master = read_master(master_file)
    except OSError:
        raise KeyStoreError(f"cannot read the master key file {master_file} (development "
                            "keys: `pii-gateway keys dev`)") from None
    raw = read_store(store)
    opened = KeyStore.parse(store, raw, master)
    keys = {r.kid: (r.purpose, opened.get(r.kid)) for r in opened.records
            if r.state != "destroyed"}
    current = {r.purpose: r.kid for r in opened.records if r.state == "current"}
    return KeyRing(store, hashlib.sha256(raw).hexdigest()[:8], current,
                   {kid: (p, k) for kid, (p, k) in keys.items() if k is not None},
                   usage_for(usage_file))
