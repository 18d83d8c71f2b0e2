from __future__ import annotations

import pytest

from gateway.detect.recognizers.email import valid_email
from tests.detect.recognizers.helpers import spans


@pytest.mark.parametrize("address", ["zhang.san@example.cn", "a+b@corp.example.com.cn",
                                     "user_1@new-domain.finance"])
def test_found(address: str) -> None:
    assert spans("EMAIL_ADDRESS", f"邮箱：{address}，") == [address]


@pytest.mark.parametrize("text", [
    "a..b@example.cn", "user@localhost", "user@-bad.cn", "@example.cn"])
def test_refused(text: str) -> None:
    assert spans("EMAIL_ADDRESS", text) == []


def test_validation_needs_no_network() -> None:
    assert valid_email("x@example.internal")
    assert not valid_email("x@example.c0m")
