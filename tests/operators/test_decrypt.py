"""decrypt: plaintext for allowed roles, `then` for others, one face for every failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.crypto.keyring import KeyRing, load_keyring
from gateway.crypto.keystore import KeyStore, read_master
from gateway.errors import FieldBlocked
from gateway.operators.base import Failed, OperatorContext
from gateway.operators.decrypt import MARKER
from gateway.operators.registry import build_operator
from tests.conftest import make_keyring
from tests.operators.test_encrypt import ID, site

CARD = "6222021234567890128"


@pytest.fixture
def keys(tmp_path: Path) -> KeyRing:
    return make_keyring(tmp_path)


def op(name: str, keys: KeyRing, **params: object):  # type: ignore[no-untyped-def]
    return build_operator(name, params, OperatorContext(keys=keys))


def failure(decrypt: object, value: str, where: object) -> Failed:
    with pytest.raises(Failed) as caught:
        decrypt.apply(value, "FIELD", where)  # type: ignore[attr-defined]
    return caught.value


@pytest.mark.parametrize("name", ["encrypt", "encrypt_deterministic"])
def test_round_trip(keys: KeyRing, name: str) -> None:
    token = op(name, keys, record_key="applicationNo").apply(ID, "FIELD", site(record="A1"))
    plain = op("decrypt", keys, record_key="applicationNo").apply(token, "FIELD",
                                                                  site(record="A1"))
    assert plain == ID


def test_fpe_round_trip(keys: KeyRing) -> None:
    token = op("fpe", keys).apply("13800138000", "CN_MOBILE", site(("mobile",)))
    assert op("decrypt", keys, fpe=True).apply(token, "FIELD", site(("mobile",))) == \
        "13800138000"


def test_then_masks_or_redacts_the_plaintext(keys: KeyRing) -> None:
    token = op("encrypt", keys).apply(CARD, "FIELD", site())
    masked = op("decrypt", keys, then="mask", entity="CN_BANK_CARD").apply(token, "FIELD", site())
    assert masked == "622202*********0128"
    assert op("decrypt", keys, then="redact").apply(token, "FIELD", site()) == ""


def test_plaintext_stored_before_encryption_still_gets_then(keys: KeyRing) -> None:
    legacy = op("decrypt", keys, then="mask", entity="CN_RESIDENT_ID")
    assert legacy.apply(ID, "FIELD", site()) == "1****************X"


def test_embedded_tokens_are_opened_in_place(keys: KeyRing) -> None:
    enc = op("encrypt", keys)
    text = f"ID {enc.apply(ID, 'CN_RESIDENT_ID', site(('note',)))} checked"
    assert op("decrypt", keys).apply(text, "FIELD", site(("note",))) == f"ID {ID} checked"


def test_every_failure_looks_the_same(keys: KeyRing, tmp_path: Path) -> None:
    enc = op("encrypt", keys, record_key="applicationNo")
    dec = op("decrypt", keys, record_key="applicationNo")
    token = enc.apply(ID, "FIELD", site(record="A1"))
    scheme, kid, body = token.split(".")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    other_store = make_keyring(tmp_path / "other")
    foreign = op("encrypt", other_store).apply(ID, "FIELD", site(record="A1"))
    cases = {
        "tampered": (f"{scheme}.{kid}.{flipped}", site(record="A1")),
        "truncated": (token[:-6], site(record="A1")),
        "too short": (f"{scheme}.{kid}.AAAA", site(record="A1")),
        "other field": (token, site(("applicant", "bankCard"), record="A1")),
        "other record": (token, site(record="A2")),
        "other data class": (token, site(record="A1", data_class="payments")),
        "no record key": (token, site()),
        "unknown key": (foreign, site(record="A1")),
        "key id of another purpose": (f"{scheme}.{keys.current('hmac')[0]}.{body}",
                                      site(record="A1")),
    }
    for name, (value, where) in cases.items():
        failed = failure(dec, value, where)
        assert (failed.replacement, failed.label) == (MARKER, "decrypt_failed"), name
        assert str(failed) == "decrypt_failed", name


def test_on_failure_keep_or_block(keys: KeyRing) -> None:
    bad = "pgw1.enc-00000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert failure(op("decrypt", keys, on_failure="keep"), bad, site()).replacement == bad
    with pytest.raises(FieldBlocked):
        op("decrypt", keys, on_failure="block").apply(bad, "FIELD", site())


def test_rotation_keeps_old_values_and_destroy_breaks_only_them(keys: KeyRing,
                                                                tmp_path: Path) -> None:
    old_token = op("encrypt", keys).apply(ID, "FIELD", site())
    store = KeyStore.open(tmp_path / "keystore.json", read_master(tmp_path / "master.key"))
    old_kid = store.current("encrypt")[0]
    store.rotate("encrypt")
    rotated = load_keyring(tmp_path / "keystore.json", tmp_path / "master.key", None)
    new_token = op("encrypt", rotated).apply(CARD, "FIELD", site())
    assert new_token.split(".")[1] != old_kid
    dec = op("decrypt", rotated)
    assert (dec.apply(old_token, "FIELD", site()), dec.apply(new_token, "FIELD", site())) == \
        (ID, CARD)
    store.destroy(old_kid, force=True)
    after = op("decrypt", load_keyring(tmp_path / "keystore.json", tmp_path / "master.key",
                                       None))
    assert failure(after, old_token, site()).replacement == MARKER
    assert after.apply(new_token, "FIELD", site()) == CARD


def test_parameters_are_checked_at_load(keys: KeyRing) -> None:
    with pytest.raises(ValueError, match="then must be one of"):
        op("decrypt", keys, then="show")
    with pytest.raises(ValueError, match="on_failure"):
        op("decrypt", keys, on_failure="ignore")
