"""The policy's `keys:` section: where the key store and the master key are.

Paths are relative to the policy file. The master key comes from
`master_key_file` when it is given, else from `PII_GATEWAY_MASTER_KEY`.
Use counts go to `usage_file`, which must be writable (the key store itself
may be mounted read-only).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from gateway.crypto.keyring import KeyRing, load_keyring
from gateway.policy.modelbase import Model


class KeysModel(Model):
    store: str | None = Field(default=None, min_length=1)
    master_key_file: str | None = Field(default=None, min_length=1)
    usage_file: str | None = Field(default=None, min_length=1)


def build_keyring(model: KeysModel, policy_dir: Path) -> KeyRing | None:
    """None without a key store; KeyStoreError (clear, secret-free) on problems."""
    if model.store is None:
        if model.master_key_file is not None or model.usage_file is not None:
            raise ValueError("store is required when the section is filled")
        return None
    store = policy_dir / model.store
    master = policy_dir / model.master_key_file if model.master_key_file else None
    usage = (policy_dir / model.usage_file if model.usage_file
             else store.with_name("usage.json"))
    return load_keyring(store, master, usage)
