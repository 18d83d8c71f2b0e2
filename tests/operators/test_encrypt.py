"""encrypt, encrypt_deterministic and fpe: round trips, context binding, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.codecs.base import Leaf
from gateway.crypto.envelope import open_sealed
from gateway.crypto.keyring import KeyRing
from gateway.crypto.usage import KeyExhausted
from gateway.errors import FieldBlocked
from gateway.operators.base import OperatorContext
from gateway.operators.registry import build_operator
from gateway.operators.site import Records, Site
from tests.conftest import make_keyring

ID = "11010519491231002X"


def site(path: tuple[str | int, ...] = ("applicant", "idNo"), record: str | None = None,
         data_class: str = "lending") -> Site:
    leaves = [Leaf(("applicationNo",), record)] if record is not None else []
    return Site(data_class, path, Records(leaves, frozenset({"applicationNo"})))


@pytest.fixture
def keys(tmp_path: Path) -> KeyRing:
    return make_keyring(tmp_path)


def op(name: str, keys: KeyRing, **params: object):  # type: ignore[no-untyped-def]
    return build_operator(name, params, OperatorContext(keys=keys))


def test_encrypt_is_random_and_bound_to_its_context(keys: KeyRing) -> None:
    enc = op("encrypt", keys, record_key="applicationNo")
    a, b = enc.apply(ID, "FIELD", site(record="A1")), enc.apply(ID, "FIELD", site(record="A1"))
    assert a != b and a.startswith(f"pgw1.{keys.current('encrypt')[0]}.") and ID not in a

    def key_for(kid: str) -> bytes | None:
        return keys.get(kid, "encrypt")

    assert open_sealed(a, key_for, ("lending", "applicant.idNo", "A1")) == ID
    assert keys.usage.total(keys.current("encrypt")[0]) == 2


def test_a_token_that_opens_in_place_is_not_encrypted_twice(keys: KeyRing) -> None:
    enc = op("encrypt", keys, record_key="applicationNo")
    token = enc.apply(ID, "FIELD", site(record="A1"))
    assert enc.apply(token, "FIELD", site(record="A1")) == token
    moved = enc.apply(token, "FIELD", site(record="A2"))  # another record: a new value
    assert moved != token and moved.startswith("pgw1.")


def test_a_missing_record_key_blocks_the_message(keys: KeyRing) -> None:
    enc = op("encrypt", keys, record_key="applicationNo")
    with pytest.raises(FieldBlocked) as caught:
        enc.apply(ID, "FIELD", site())
    assert caught.value.status == 422


def test_deterministic_encryption_gives_equal_tokens_for_equal_values(keys: KeyRing) -> None:
    det = op("encrypt_deterministic", keys, field="idNo")
    here, there = site(("applicant", "idNo")), site(("query", "idNumber"))
    token = det.apply(ID, "FIELD", here)
    assert token == det.apply(ID, "FIELD", there)       # `field` names the context explicitly
    assert token.startswith("pgw1d.") and token != det.apply("110105194912310029", "FIELD", here)
    other_class = det.apply(ID, "FIELD", site(data_class="payments"))
    assert other_class != token


def test_fpe_keeps_length_and_format(keys: KeyRing) -> None:
    fpe = op("fpe", keys)
    mobile = fpe.apply("138-0013-8000", "CN_MOBILE", site(("mobile",)))
    assert len(mobile) == 13 and mobile[3] == "-" and mobile[8] == "-"
    assert mobile.replace("-", "").isdigit() and mobile != "138-0013-8000"
    card = fpe.apply(ID, "FIELD", site())
    assert len(card) == 18 and card.endswith("X") and card[:17].isdigit() and card != ID
    assert fpe.apply(ID, "FIELD", site()) == card       # deterministic in one context
    assert fpe.apply(ID, "FIELD", site(("other",))) != card


def test_fpe_refuses_domains_under_a_million(keys: KeyRing) -> None:
    fpe = op("fpe", keys)
    with pytest.raises(FieldBlocked):
        fpe.apply("12345", "FIELD", site())
    assert fpe.apply("no digits", "FIELD", site()) == "no digits"


def test_gcm_keys_warn_then_refuse_at_their_limit(tmp_path: Path) -> None:
    keys = make_keyring(tmp_path, warn_at=2, refuse_at=3)
    enc = op("encrypt", keys)
    for _ in range(3):
        enc.apply(ID, "FIELD", site())
    with pytest.raises(KeyExhausted) as caught:
        enc.apply(ID, "FIELD", site())
    assert "keys rotate --purpose encrypt" in caught.value.message
    assert caught.value.status == 503


def test_parameters_are_checked_at_load(keys: KeyRing) -> None:
    with pytest.raises(ValueError, match="unknown parameters"):
        op("encrypt", keys, recordkey="x")
    with pytest.raises(ValueError, match="record_key must be a text"):
        op("fpe", keys, record_key="")
