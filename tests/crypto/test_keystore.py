from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from gateway.crypto.envelope import open_sealed, seal
from gateway.crypto.keystore import (
    MASTER_ENV,
    PURPOSES,
    KeyStore,
    KeyStoreError,
    new_master_file,
    read_master,
)

MASTER = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_init_creates_one_current_key_per_purpose_and_no_material_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "keystore.json"
    store = KeyStore.init(path, MASTER)
    assert {r.purpose for r in store.records if r.state == "current"} == set(PURPOSES)
    keys = {p: store.current(p)[1] for p in PURPOSES}
    assert len(set(keys.values())) == len(PURPOSES)            # never one key for two purposes
    assert len(keys["deterministic"]) == 64 and len(keys["encrypt"]) == 32
    text = path.read_text()
    assert all(k.hex() not in text for k in keys.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "wrapped" not in json.dumps(store.listing())
    with pytest.raises(KeyStoreError, match="exists"):
        KeyStore.init(path, MASTER)


def test_rotation_keeps_old_ciphertexts_open(tmp_path: Path) -> None:
    store = KeyStore.init(tmp_path / "k.json", MASTER)
    kid1, key1 = store.current("encrypt")
    token1 = seal(key1, kid1, "11010519491231002X", ("C2", "idNo"))
    store.rotate("encrypt")
    reopened = KeyStore.open(tmp_path / "k.json", MASTER)
    kid2, key2 = reopened.current("encrypt")
    assert kid2 != kid1
    token2 = seal(key2, kid2, "13800138000", ("C2", "mobile"))
    assert open_sealed(token1, reopened.get, ("C2", "idNo")) == "11010519491231002X"
    assert open_sealed(token2, reopened.get, ("C2", "mobile")) == "13800138000"


def test_destroy_rules(tmp_path: Path) -> None:
    store = KeyStore.init(tmp_path / "k.json", MASTER)
    kid1, _ = store.current("encrypt")
    with pytest.raises(KeyStoreError, match="current"):
        store.destroy(kid1)
    store.rotate("encrypt")
    with pytest.raises(KeyStoreError, match="--force"):
        store.destroy(kid1)
    store.destroy(kid1, force=True)
    reopened = KeyStore.open(tmp_path / "k.json", MASTER)
    assert reopened.get(kid1) is None
    assert [r.state for r in reopened.records if r.kid == kid1] == ["destroyed"]


def test_rewrap_and_wrong_master(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    store = KeyStore.init(path, MASTER)
    kid, key = store.current("hmac")
    store.rewrap(OTHER)
    assert KeyStore.open(path, OTHER).get(kid) == key
    with pytest.raises(KeyStoreError, match="does not open"):
        KeyStore.open(path, MASTER)
    with pytest.raises(KeyStoreError, match="keys init"):
        KeyStore.open(tmp_path / "missing.json", MASTER)


def test_master_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MASTER_ENV, raising=False)
    with pytest.raises(KeyStoreError, match=MASTER_ENV):
        read_master(None)
    monkeypatch.setenv(MASTER_ENV, MASTER.hex())
    assert read_master(None) == MASTER
    monkeypatch.setenv(MASTER_ENV, "not hex")
    with pytest.raises(KeyStoreError, match="64 hex"):
        read_master(None)
    path = tmp_path / "m.key"
    new_master_file(path)
    assert len(read_master(path)) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
