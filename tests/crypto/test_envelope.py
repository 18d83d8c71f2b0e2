from __future__ import annotations

import pytest

from gateway.crypto.envelope import (
    Unsealable,
    is_sealed,
    open_sealed,
    seal,
    seal_deterministic,
)

KEYS = {"k1": bytes(range(32)), "k2": bytes(range(1, 33)), "s1": bytes(range(64))}
CONTEXT = ("C2", "applicant.idNo")


def key_for(kid: str) -> bytes | None:
    return KEYS.get(kid)


def test_random_round_trip_and_fresh_nonces() -> None:
    a = seal(KEYS["k1"], "k1", "11010519491231002X", CONTEXT)
    b = seal(KEYS["k1"], "k1", "11010519491231002X", CONTEXT)
    assert a != b and a.startswith("pgw1.k1.") and is_sealed(a)
    assert open_sealed(a, key_for, CONTEXT) == "11010519491231002X"


def test_deterministic_round_trip() -> None:
    a = seal_deterministic(KEYS["s1"], "s1", "13800138000", CONTEXT)
    assert a == seal_deterministic(KEYS["s1"], "s1", "13800138000", CONTEXT)
    assert a.startswith("pgw1d.s1.")
    assert open_sealed(a, key_for, CONTEXT) == "13800138000"
    assert a != seal_deterministic(KEYS["s1"], "s1", "13800138000", ("C2", "other.field"))


def test_every_failure_looks_the_same() -> None:
    token = seal(KEYS["k1"], "k1", "secret", CONTEXT)
    body = token.split(".")[2]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    bad = [
        token.replace(body, flipped),                 # tampered
        token[:-5],                                   # truncated
        token.replace("k1", "k9"),                    # unknown key
        token.replace("pgw1.k1", "pgw1.k2"),          # another key's id
        "pgw1.k1.!!!",                                 # not base64
        "pgw2.k1." + body,                             # unknown scheme
        "pgw1.k1",                                     # no body
    ]
    for text in bad:
        with pytest.raises(Unsealable) as info:
            open_sealed(text, key_for, CONTEXT)
        assert str(info.value) == ""
    with pytest.raises(Unsealable):
        open_sealed(token, key_for, ("C2", "applicant.mobile"))  # moved to another field
    with pytest.raises(Unsealable):
        open_sealed(token, key_for, ("C2a", "pplicant.idNo"))   # parts are length-prefixed


def test_key_ids_are_checked() -> None:
    with pytest.raises(ValueError, match="key id"):
        seal(KEYS["k1"], "a.b", "x", CONTEXT)


def test_a_ciphers_cache_opens_the_same_and_makes_each_cipher_once() -> None:
    from gateway.crypto.envelope import Ciphers

    key, context = bytes(range(32)), ("lending", "idNo", "A1")
    token = seal(key, "enc-1", "11010519491231002X", context)
    ciphers = Ciphers()
    assert open_sealed(token, lambda kid: key, context, ciphers) == "11010519491231002X"
    assert open_sealed(token, lambda kid: key, context, ciphers) == open_sealed(
        token, lambda kid: key, context)
    assert ciphers.gcm(key) is ciphers.gcm(key)
    with pytest.raises(Unsealable):
        open_sealed(token, lambda kid: key, ("lending", "idNo", "A2"), ciphers)
