"""Self-describing ciphertexts: `pgw1.<kid>.<base64url(nonce || ciphertext)>`.

- `seal`/`open_sealed`: AES-256-GCM with a random 96-bit nonce. Associated data
  binds the ciphertext to its context (data class, field path, record key), so
  a ciphertext moved to another field or record fails to open.
- `seal_deterministic`/`open_deterministic` (`pgw1d.`): AES-SIV, for values the
  upstream must look up by equality; the same plaintext and context give the
  same token.
The key id in the token picks the key: decryption never tries every key. Every
failure (tampered, truncated, unknown key, wrong context) raises the same
`Unsealable`, so none can be told apart from outside.

A building block of field-level encryption (not yet wired to an operator or a
key store).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

RANDOM = "pgw1"
DETERMINISTIC = "pgw1d"
_NONCE = 12


class Unsealable(Exception):
    """The token cannot be opened. Deliberately says nothing more."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise Unsealable from None


def _aad(context: Sequence[str]) -> bytes:
    """Length-prefixed parts, so ("ab", "c") and ("a", "bc") differ."""
    out = bytearray()
    for part in context:
        data = part.encode()
        out += len(data).to_bytes(4, "big")
        out += data
    return bytes(out)


class Ciphers:
    """The cipher object of each key, made once: a page can open hundreds of
    tokens under one key. Owned by a key ring, so it goes when the ring goes
    (a reload after a key is destroyed leaves no cipher of it behind); the
    objects keep no per-message state."""

    __slots__ = ("_gcm", "_siv")

    def __init__(self) -> None:
        self._gcm: dict[bytes, AESGCM] = {}
        self._siv: dict[bytes, AESSIV] = {}

    def gcm(self, key: bytes) -> AESGCM:
        found = self._gcm.get(key)
        if found is None:
            found = self._gcm[key] = AESGCM(key)
        return found

    def siv(self, key: bytes) -> AESSIV:
        found = self._siv.get(key)
        if found is None:
            found = self._siv[key] = AESSIV(key)
        return found


def _check_kid(kid: str) -> None:
    if not kid or "." in kid or not kid.isascii() or len(kid) > 32:
        raise ValueError("a key id is 1-32 ASCII characters without a dot")


def seal(key: bytes, kid: str, plaintext: str, context: Sequence[str]) -> str:
    _check_kid(kid)
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), _aad((RANDOM, kid, *context)))
    return f"{RANDOM}.{kid}.{_b64(nonce + sealed)}"


def seal_deterministic(key: bytes, kid: str, plaintext: str, context: Sequence[str]) -> str:
    _check_kid(kid)
    sealed = AESSIV(key).encrypt(plaintext.encode(), [_aad((DETERMINISTIC, kid, *context))])
    return f"{DETERMINISTIC}.{kid}.{_b64(sealed)}"


def is_sealed(text: str) -> bool:
    return text.startswith((RANDOM + ".", DETERMINISTIC + "."))


def open_sealed(token: str, key_for: Callable[[str], bytes | None],
                context: Sequence[str], ciphers: Ciphers | None = None) -> str:
    """The plaintext of a `pgw1.` or `pgw1d.` token; Unsealable on any failure."""
    scheme, _, rest = token.partition(".")
    kid, _, body = rest.partition(".")
    key = key_for(kid) if kid and body else None
    if key is None or scheme not in (RANDOM, DETERMINISTIC):
        raise Unsealable
    data = _unb64(body)
    try:
        if scheme == RANDOM:
            if len(data) < _NONCE + 16:
                raise Unsealable
            gcm = ciphers.gcm(key) if ciphers is not None else AESGCM(key)
            plain = gcm.decrypt(data[:_NONCE], data[_NONCE:],
                                        _aad((RANDOM, kid, *context)))
        else:
            siv = ciphers.siv(key) if ciphers is not None else AESSIV(key)
            plain = siv.decrypt(data, [_aad((DETERMINISTIC, kid, *context))])
        return plain.decode()
    except (InvalidTag, ValueError, UnicodeDecodeError):
        raise Unsealable from None
