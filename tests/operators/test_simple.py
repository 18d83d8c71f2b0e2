"""redact, replace, keep, block."""

from __future__ import annotations

import pytest

from gateway.errors import FieldBlocked
from gateway.operators.base import OperatorContext
from gateway.operators.block import make_block
from gateway.operators.keep import make_keep
from gateway.operators.redact import make_redact
from gateway.operators.replace import make_replace
from gateway.operators.site import Site

CTX = OperatorContext()

SITE = Site("api", ("field",))


def test_redact_replace_keep() -> None:
    assert make_redact({}, CTX).apply("13800138000", "CN_MOBILE", SITE) == ""
    assert make_replace({}, CTX).apply("13800138000", "CN_MOBILE", SITE) == "<CN_MOBILE>"
    assert make_replace({"with": "[{entity} removed]"}, CTX).apply("x", "PERSON_NAME", SITE) == \
        "[PERSON_NAME removed]"
    assert make_keep({}, CTX).apply("张三", "PERSON_NAME", SITE) == "张三"


def test_block() -> None:
    with pytest.raises(FieldBlocked) as info:
        make_block({"status": 422}, CTX).apply("123", "FIELD", SITE)
    assert info.value.status == 422
    with pytest.raises(ValueError, match="403 or 422"):
        make_block({"status": 500}, CTX)


def test_params_checked() -> None:
    with pytest.raises(ValueError, match="unknown parameters"):
        make_redact({"x": 1}, CTX)
    with pytest.raises(ValueError, match="with must be"):
        make_replace({"with": 5}, CTX)
