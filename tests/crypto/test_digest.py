"""Keyed digests: stable outputs (audit trails, Redis keys and hashed columns
written before must still match) and normalization."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from gateway.crypto.digest import (
    KeyedDigest,
    derive,
    hmac_value,
    keyed,
    normalize_value,
    value_digest,
)
from gateway.native import STATUS, core

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


@pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
@pytest.mark.parametrize("size", [12, 8, 32, 64])
def test_the_cores_blake2b_gives_hashlibs_digests(size: int) -> None:
    """KeyedBlake2b (gateway/native/blake2b.pxi) against hashlib, message by
    message: every length across the 128-byte block edges, ASCII with the
    separators and lower case the core normalizes itself, and Chinese,
    full-width, emoji and other texts that go through normalize_value."""
    assert core is not None
    rng = random.Random(size)
    alphabet = "0123456789abcXYZ -_.@/张三北京市朝阳区０１２ＡＢ\u2013\u200b\u3000😀é"
    texts = ["", " ", "-_ ", "13800138000", "138 0013-8000", "a_b-c", "ß", "ﬁ", "Ⅻ"]
    texts += ["x" * n for n in range(0, 300, 7)] + ["张" * n for n in (42, 43, 44, 85, 200)]
    texts += ["x" * 1000, "a-" * 400]  # longer than the stack buffer (512 bytes)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
              for _ in range(400)]
    for key in (KEY, b"k", bytes(range(64)), bytes(range(80))):
        native = core.KeyedBlake2b(key[:64], size)
        for kind in ("CN_MOBILE", "PERSON_NAME", "", "类型"):
            expected = []
            for text in texts:
                h = hashlib.blake2b(key=key[:64], digest_size=size)
                h.update(f"{kind}\x00{normalize_value(text)}".encode())
                expected.append(h.hexdigest())
            assert native.values(kind, texts, normalize_value) == expected


@pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
def test_the_core_refuses_keys_and_sizes_blake2b_does_not_take() -> None:
    assert core is not None
    for key, size in ((b"", 12), (bytes(65), 12), (KEY, 0), (KEY, 65)):
        with pytest.raises(ValueError, match="key of 1 to 64 bytes"):
            core.KeyedBlake2b(key, size)


def test_distinct_digests_are_sorted_once_each_and_capped() -> None:
    keyed = KeyedDigest(KEY)
    values = ["138 0013 8000", "13800138000", "张三", "张三", "a-b", "AB", "ab"]
    each = keyed.values("X", values)
    assert keyed.distinct("X", values, 10) == sorted(set(each))
    assert len(keyed.distinct("X", values, 10)) == 3
    assert keyed.distinct("X", values, 2) == sorted(set(each))[:2]
    assert keyed.distinct("X", [], 5) == []
    assert keyed.distinct_many([("X", values), ("Y", ["ab"])], 10) == [
        sorted(set(each)), [keyed.value("Y", "ab")]]


@pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
def test_the_cores_distinct_digests_are_the_python_ones() -> None:
    assert core is not None
    rng = random.Random(7)
    python = KeyedDigest(KEY)
    python._native = None  # the pure-Python path of the same object
    native = KeyedDigest(KEY)
    for n in (0, 1, 2, 3, 17, 100, 1100):
        values = [rng.choice(["1380013800", "张三", "x-y", "X Y", "Ｘ"]) + str(rng.randint(0, n))
                  for _ in range(n)]
        for most in (1, 5, 1000):
            assert native.distinct("E", values, most) == python.distinct("E", values, most)
            groups = [("E", values), ("F", values[:3]), ("E", [])]
            assert native.distinct_many(groups, most) == python.distinct_many(groups, most)
