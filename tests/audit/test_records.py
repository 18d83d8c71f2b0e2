"""The process's own audit records: key store in force, policy reloads."""

from __future__ import annotations

from pathlib import Path

from gateway.audit import events
from gateway.audit.records import keys_record, reload_record
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.keyring import load_keyring


def test_keys_record_names_key_ids_never_material(tmp_path: Path) -> None:
    ensure_dev_keys(tmp_path)
    ring = load_keyring(tmp_path / "keystore.json", tmp_path / "master.key", None)
    record = keys_record("v1", ring)
    assert record["event"] == events.KEYS_LOADED and record["policy_version"] == "v1"
    assert record["store_digest"] == ring.digest and record["current"] == dict(
        sorted(ring.current_ids.items()))
    text = repr(record)
    for kid in ring.current_ids.values():
        assert kid in text
    assert (tmp_path / "master.key").read_text().strip() not in text


def test_without_a_key_store() -> None:
    assert keys_record("v2", None) == {"event": events.KEYS_LOADED, "policy_version": "v2",
                                       "store_digest": None, "current": {}}


def test_reload_record() -> None:
    assert reload_record("rejected", "b", "a", "file changed") == {
        "event": events.POLICY_RELOADED, "outcome": "rejected", "version": "b",
        "previous_version": "a", "reason": "file changed"}
