"""FF1 format-preserving encryption (NIST SP 800-38G), on AES from `cryptography`.

PyPI has no mature FF1 package (`ff3` implements FF3, which NIST is dropping;
the FF1 ones are alpha releases), so FF1 is implemented here, step by step
after the standard, and tested against all nine NIST FF1 samples.
Domains under 10^6 values are refused (SP 800-38G Rev. 1 draft 2): a short
numeral string is too few values to hide anything.

This is a building block of field-level encryption (not yet wired to an
operator or a key store).
"""

from __future__ import annotations

import math

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MIN_DOMAIN = 1_000_000
_ROUNDS = 10


class FF1:
    def __init__(self, key: bytes, radix: int = 10) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("FF1 needs an AES-128, -192 or -256 key")
        if not 2 <= radix <= len(ALPHABET):
            raise ValueError(f"radix must be from 2 to {len(ALPHABET)}")
        self._key = key
        self.radix = radix

    def _ciph(self, block: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(self._key), modes.ECB()).encryptor()  # noqa: S305
        return encryptor.update(block) + encryptor.finalize()

    def _prf(self, data: bytes) -> bytes:
        """CBC-MAC with a zero IV: the last block of AES-CBC over `data`."""
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(bytes(16))).encryptor()
        out = encryptor.update(data) + encryptor.finalize()
        return out[-16:]

    def _digits(self, text: str) -> list[int]:
        try:
            digits = [ALPHABET.index(c) for c in text.lower()]
        except ValueError:
            raise ValueError("the value has characters outside the radix") from None
        if any(d >= self.radix for d in digits):
            raise ValueError("the value has characters outside the radix")
        if self.radix ** len(digits) < MIN_DOMAIN:
            raise ValueError("the domain is under 10^6 values; FF1 would not hide it")
        return digits

    def _num(self, digits: list[int]) -> int:
        value = 0
        for d in digits:
            value = value * self.radix + d
        return value

    def _str(self, value: int, length: int) -> list[int]:
        out = [0] * length
        for i in range(length - 1, -1, -1):
            value, out[i] = divmod(value, self.radix)
        return out

    def _round_value(self, p: bytes, tweak: bytes, i: int, half: list[int], b: int,
                     d: int) -> int:
        pad = (-len(tweak) - b - 1) % 16
        q = tweak + bytes(pad) + bytes([i]) + self._num(half).to_bytes(b, "big")
        r = self._prf(p + q)
        s = r
        for j in range(1, math.ceil(d / 16)):
            s += self._ciph(bytes(x ^ y for x, y in zip(r, j.to_bytes(16, "big"), strict=True)))
        return int.from_bytes(s[:d], "big")

    def _setup(self, n: int, tweak: bytes) -> tuple[int, int, int, int, bytes]:
        u, v = n // 2, n - n // 2
        b = math.ceil(math.ceil(v * math.log2(self.radix)) / 8)
        d = 4 * math.ceil(b / 4) + 4
        p = (bytes([1, 2, 1]) + self.radix.to_bytes(3, "big") + bytes([10, u % 256])
             + n.to_bytes(4, "big") + len(tweak).to_bytes(4, "big"))
        return u, v, b, d, p

    def encrypt(self, text: str, tweak: bytes = b"") -> str:
        digits = self._digits(text)
        u, v, b, d, p = self._setup(len(digits), tweak)
        a, bb = digits[:u], digits[u:]
        for i in range(_ROUNDS):
            m = u if i % 2 == 0 else v
            y = self._round_value(p, tweak, i, bb, b, d)
            c = (self._num(a) + y) % self.radix ** m
            a, bb = bb, self._str(c, m)
        return "".join(ALPHABET[x] for x in a + bb)

    def decrypt(self, text: str, tweak: bytes = b"") -> str:
        digits = self._digits(text)
        u, v, b, d, p = self._setup(len(digits), tweak)
        a, bb = digits[:u], digits[u:]
        for i in range(_ROUNDS - 1, -1, -1):
            m = u if i % 2 == 0 else v
            y = self._round_value(p, tweak, i, a, b, d)
            c = (self._num(bb) - y) % self.radix ** m
            a, bb = self._str(c, m), a
        return "".join(ALPHABET[x] for x in a + bb)
