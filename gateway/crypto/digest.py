"""Keyed digests of personal data, in one place.

Every place that must recognise a value without keeping it uses these: the
`hash` operator (HMAC-SHA256, its output is published to policy users), the
audit trail's value digests (to answer "who saw this ID" from a trail that
holds none), and the limiter's client keys and exposure counts (keyed
BLAKE2b, so Redis holds no value). `normalize_value` makes one number written two
ways digest the same.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from gateway.native import core

_SEPARATORS = " -_\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u200b\ufeff"
_DROP = str.maketrans("", "", _SEPARATORS)
_SEPARATOR = re.compile(f"[{re.escape(_SEPARATORS)}]")


def normalize_value(value: str) -> str:
    """NFKC, separators dropped, upper case: `138 0013 8000` is `13800138000`.
    (ASCII text is its own NFKC form: the normalization is skipped for it;
    most values hold no separator: the translation is skipped for them.)"""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    if _SEPARATOR.search(value) is not None:
        value = value.translate(_DROP)
    return value.upper()


class KeyedDigest:
    """Keyed BLAKE2b (a MAC) under one key, for many values: the keyed state is
    set up once and copied per value (half the cost of keying each time).
    With the native core, `distinct` and `distinct_many` (the audit trail's)
    run in one C loop (`KeyedBlake2b`, held to hashlib's output by
    tests/crypto/test_digest.py)."""

    __slots__ = ("_base", "_native")

    def __init__(self, key: bytes, size: int = 12) -> None:
        self._base = hashlib.blake2b(key=key[:64], digest_size=size)
        self._native = core.KeyedBlake2b(key[:64], size) if core is not None and key else None

    @property
    def native(self) -> Any:
        """The core's KeyedBlake2b under this key (None on the pure-Python path)."""
        return self._native

    def of(self, kind: str, text: str) -> str:
        """The digest of a kind and a text, as hex."""
        h = self._base.copy()
        h.update(f"{kind}\x00{text}".encode())
        return h.hexdigest()

    def value(self, entity: str, value: str) -> str:
        """A personal-data value's digest, normalized first."""
        return self.of(entity, normalize_value(value))

    def values(self, entity: str, values: Iterable[str]) -> list[str]:
        """The digests of many values of one entity (`value` for each, in one
        loop; in one C loop with the native core)."""
        if self._native is not None:
            return list(self._native.values(entity, list(values), normalize_value))
        base, prefix, out = self._base, f"{entity}\x00", []
        for value in values:
            h = base.copy()
            h.update((prefix + normalize_value(value)).encode())
            out.append(h.hexdigest())
        return out

    def distinct(self, entity: str, values: Iterable[str], most: int) -> list[str]:
        """The distinct digests of many values of one entity, sorted, at most `most`."""
        if self._native is not None:
            return list(self._native.distinct(entity, list(values), normalize_value, most))
        return sorted(set(self.values(entity, values)))[:most]

    def distinct_many(self, groups: list[tuple[str, list[str]]], most: int) -> list[list[str]]:
        """`distinct` of each (entity, values) pair (one call into the core)."""
        if self._native is not None:
            return list(self._native.distinct_many(groups, normalize_value, most))
        return [self.distinct(entity, values, most) for entity, values in groups]


def keyed(key: bytes, kind: str, text: str, size: int = 12) -> str:
    """Keyed BLAKE2b of a kind and a text, `size` bytes as hex (one-off)."""
    return KeyedDigest(key, size).of(kind, text)


def value_digest(key: bytes, entity: str, value: str, size: int = 12) -> str:
    """A personal-data value's keyed digest, normalized first (one-off)."""
    return keyed(key, entity, normalize_value(value), size)


def hmac_value(key: bytes, entity: str, value: str) -> str:
    """The `hash` operator's HMAC-SHA256 of a normalized value, as hex."""
    message = f"{entity}\x00{normalize_value(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def derive(key: bytes, purpose: bytes, size: int = 64) -> bytes:
    """A subkey for one purpose (BLAKE2b personalization, up to 16 bytes)."""
    return hashlib.blake2b(key[:64], person=purpose, digest_size=size).digest()
