"""Audit records of the gateway process: the key store in force and policy
reloads (a request's records are made in gateway/proxy/audit_records.py)."""

from __future__ import annotations

from typing import Any

from gateway.audit import events
from gateway.crypto.keyring import KeyRing


def keys_record(policy_version: str, keys: KeyRing | None) -> dict[str, Any]:
    """The key store in force: its digest and current key ids (no key material)."""
    return {"event": events.KEYS_LOADED, "policy_version": policy_version,
            "store_digest": keys.digest if keys else None,
            "current": dict(sorted(keys.current_ids.items())) if keys else {}}


def reload_record(outcome: str, version: str, previous: str, reason: str) -> dict[str, Any]:
    return {"event": events.POLICY_RELOADED, "outcome": outcome, "version": version,
            "previous_version": previous, "reason": reason}
