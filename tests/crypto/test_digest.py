"""Keyed digests: stable outputs (audit trails, Redis keys and hashed columns
written before must still match) and normalization."""

from __future__ import annotations

import hashlib
import hmac

from gateway.crypto.digest import (
    KeyedDigest,
    derive,
    hmac_value,
    keyed,
    normalize_value,
    value_digest,
)

KEY = bytes(range(32))


def test_normalizing_joins_the_ways_a_number_is_written() -> None:
    assert normalize_value("138 0013-8000") == "13800138000"
    assert normalize_value("１３８００１３８０００") == "13800138000"
    assert normalize_value("11010519491231002x") == "11010519491231002X"


def test_outputs_are_the_documented_constructions() -> None:
    assert keyed(KEY, "ip", "203.0.113.7") == hashlib.blake2b(
        b"ip\x00203.0.113.7", key=KEY, digest_size=12).hexdigest()
    assert value_digest(KEY, "CN_MOBILE", "138 0013 8000") == keyed(KEY, "CN_MOBILE",
                                                                    "13800138000")
    assert hmac_value(KEY, "CN_MOBILE", "13800138000") == hmac.new(
        KEY, b"CN_MOBILE\x0013800138000", hashlib.sha256).hexdigest()
    assert derive(KEY, b"pgw-audit-val") == hashlib.blake2b(KEY, person=b"pgw-audit-val").digest()


def test_kind_and_key_separate_digests() -> None:
    assert keyed(KEY, "ip", "x") != keyed(KEY, "net", "x")
    assert keyed(KEY, "ip", "x") != keyed(bytes(32), "ip", "x")
    assert len(derive(KEY, b"pgw-run-offset", 6)) == 6


def test_the_reused_keyed_state_gives_the_one_off_digests() -> None:
    mac = KeyedDigest(KEY)
    for kind, text in (("ip", "203.0.113.7"), ("CN_MOBILE", "１３８ 0013 8000"), ("x", "")):
        assert mac.of(kind, text) == keyed(KEY, kind, text)
        assert mac.value(kind, text) == value_digest(KEY, kind, text)
    assert KeyedDigest(KEY, 16).of("a", "b") == keyed(KEY, "a", "b", 16)


def test_ascii_skips_nfkc_without_changing_results() -> None:
    import unicodedata
    for text in ("ABC-123 x_y", "abc", "13800138000"):
        assert normalize_value(text) == unicodedata.normalize("NFKC", text).translate(
            str.maketrans("", "", " -_")).upper()


def test_many_values_digest_as_each_alone() -> None:
    keyed = KeyedDigest(KEY)
    values = ["138 0013 8000", "13800138000", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "北京市朝阳区",
              "6222\u20130212\u200b3456", "a_b-c", ""]
    assert keyed.values("CN_MOBILE", values) == [keyed.value("CN_MOBILE", v) for v in values]
    assert keyed.value("CN_MOBILE", "138 0013-8000") == keyed.value("CN_MOBILE", "13800138000")
