"""FF1 against NIST's sample vectors (SP 800-38G examples, FF1 samples 1-9)."""

from __future__ import annotations

import pytest

from gateway.crypto.ff1 import FF1

K128 = "2B7E151628AED2A6ABF7158809CF4F3C"
K192 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F"
K256 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94"
T10 = "39383736353433323130"
T36 = "3737373770717273373737"


@pytest.mark.parametrize(("key", "radix", "tweak", "plain", "cipher"), [
    (K128, 10, "", "0123456789", "2433477484"),
    (K128, 10, T10, "0123456789", "6124200773"),
    (K128, 36, T36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (K192, 10, "", "0123456789", "2830668132"),
    (K192, 10, T10, "0123456789", "2496655549"),
    (K192, 36, T36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (K256, 10, "", "0123456789", "6657667009"),
    (K256, 10, T10, "0123456789", "1001623463"),
    (K256, 36, T36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
])
def test_nist_samples(key: str, radix: int, tweak: str, plain: str, cipher: str) -> None:
    ff1 = FF1(bytes.fromhex(key), radix)
    assert ff1.encrypt(plain, bytes.fromhex(tweak)) == cipher
    assert ff1.decrypt(cipher, bytes.fromhex(tweak)) == plain


def test_format_is_preserved_and_small_domains_refused() -> None:
    ff1 = FF1(bytes(32))
    mobile = "13800138000"
    out = ff1.encrypt(mobile, b"CN_MOBILE")
    assert out.isdigit() and len(out) == 11 and out != mobile
    assert ff1.decrypt(out, b"CN_MOBILE") == mobile
    assert ff1.encrypt(mobile, b"other tweak") != out
    with pytest.raises(ValueError, match="10\\^6"):
        ff1.encrypt("12345")
    with pytest.raises(ValueError, match="radix"):
        ff1.encrypt("12345678x")
    with pytest.raises(ValueError, match="AES"):
        FF1(b"short")
