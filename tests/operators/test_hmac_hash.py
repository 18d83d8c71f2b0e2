from __future__ import annotations

import hashlib
import hmac

import pytest

from gateway.crypto.digest import normalize_value
from gateway.operators.base import OperatorContext
from gateway.operators.hmac_hash import make_hash
from gateway.operators.site import Site

KEY = b"k" * 32

SITE = Site("api", ("field",))


def test_keyed_deterministic_and_format_independent() -> None:
    op = make_hash({}, OperatorContext(KEY))
    a = op.apply("13800138000", "CN_MOBILE", SITE)
    assert a == op.apply("138 0013 8000", "CN_MOBILE", SITE)
    assert a == op.apply("１３８００１３８０００", "CN_MOBILE", SITE)
    assert len(a) == 16 and a != op.apply("13800138001", "CN_MOBILE", SITE)
    assert a != op.apply("13800138000", "CN_BANK_CARD", SITE)
    expected = hmac.new(KEY, b"CN_MOBILE\x0013800138000", hashlib.sha256).hexdigest()[:16]
    assert a == expected
    assert make_hash({}, OperatorContext(b"j" * 32)).apply("13800138000", "CN_MOBILE", SITE) != a


def test_an_unkeyed_hash_is_refused() -> None:
    with pytest.raises(ValueError, match="hash key"):
        make_hash({}, OperatorContext(None))


def test_params() -> None:
    op = make_hash({"length": 24, "prefix": "h:"}, OperatorContext(KEY))
    assert op.apply("x", "FIELD", SITE).startswith("h:") and len(op.apply("x", "FIELD", SITE)) == 26
    with pytest.raises(ValueError, match="length must be"):
        make_hash({"length": 4}, OperatorContext(KEY))
    assert normalize_value("1101-05x") == "110105X"
