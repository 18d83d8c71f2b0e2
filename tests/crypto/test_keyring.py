from __future__ import annotations

from pathlib import Path

import pytest

from gateway.crypto.envelope import Unsealable, seal, seal_deterministic
from gateway.crypto.keyring import load_keyring
from gateway.crypto.keystore import KeyStoreError, new_master_file
from tests.conftest import make_keyring


def test_key_ids_are_looked_up_within_their_purpose(tmp_path: Path) -> None:
    keys = make_keyring(tmp_path)
    kid, key = keys.current("encrypt")
    assert keys.get(kid, "encrypt") == key
    assert keys.get(kid, "deterministic") is None and keys.get("nope", "encrypt") is None
    assert len({keys.current(p)[1] for p in ("encrypt", "deterministic", "fpe", "hmac")}) == 4


def test_wrong_or_missing_master_key_is_a_clear_error(tmp_path: Path) -> None:
    make_keyring(tmp_path)
    new_master_file(tmp_path / "other.key")
    with pytest.raises(KeyStoreError, match="does not open this key store"):
        load_keyring(tmp_path / "keystore.json", tmp_path / "other.key", None)
    with pytest.raises(KeyStoreError, match="cannot read the master key file"):
        load_keyring(tmp_path / "keystore.json", tmp_path / "missing.key", None)
    with pytest.raises(KeyStoreError, match="keys init"):
        load_keyring(tmp_path / "nope.json", tmp_path / "master.key", None)


def test_the_master_key_can_come_from_the_environment(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    make_keyring(tmp_path)
    monkeypatch.setenv("PII_GATEWAY_MASTER_KEY", (tmp_path / "master.key").read_text().strip())
    assert load_keyring(tmp_path / "keystore.json", None, None).current("encrypt")
    monkeypatch.setenv("PII_GATEWAY_MASTER_KEY", "abc")
    with pytest.raises(KeyStoreError, match="64 hex characters"):
        load_keyring(tmp_path / "keystore.json", None, None)


def test_the_digest_changes_with_the_store(tmp_path: Path) -> None:
    first = make_keyring(tmp_path)
    from gateway.crypto.keystore import KeyStore, read_master
    KeyStore.open(tmp_path / "keystore.json", read_master(tmp_path / "master.key")).rotate("fpe")
    second = load_keyring(tmp_path / "keystore.json", tmp_path / "master.key", None)
    assert first.digest != second.digest


def test_a_token_opens_only_under_its_purpose_and_context(tmp_path: Path) -> None:
    keys = make_keyring(tmp_path)
    context = ("lending", "applicant.idNo", "A1")
    for scheme, purpose, sealer in (("pgw1", "encrypt", seal),
                                    ("pgw1d", "deterministic", seal_deterministic)):
        kid, key = keys.current(purpose)
        token = sealer(key, kid, "11010519491231002X", context)
        assert token.startswith(scheme + ".")
        assert keys.open(token, context) == "11010519491231002X"
        with pytest.raises(Unsealable):
            keys.open(token, ("lending", "other.field", "A1"))
    kid, key = keys.current("encrypt")
    forged = seal(key, kid, "x", context).replace("pgw1.", "pgw1d.", 1)  # wrong purpose
    for bad in (forged, "pgw9.k.abc", "not a token"):
        with pytest.raises(Unsealable):
            keys.open(bad, context)
