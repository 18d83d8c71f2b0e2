from __future__ import annotations

import pytest

from gateway.detect.recognizers.uscc import valid_org_code, valid_uscc
from tests.detect.recognizers.helpers import spans

CODE = "91350100M000100Y43"


def test_found_with_letters_alone_digits_only_with_context() -> None:
    assert spans("CN_USCC", CODE) == [CODE]
    assert spans("CN_USCC", "统一社会信用代码：" + CODE) == [CODE]
    assert spans("CN_USCC", CODE.lower()) == [CODE.lower()]


@pytest.mark.parametrize("text", [
    "91350100M000100Y44", "91350100M000100Y43A", "X91350100M000100Y43"])
def test_refused(text: str) -> None:
    assert spans("CN_USCC", text) == []


def test_both_checks() -> None:
    assert valid_uscc(CODE)
    assert valid_org_code("M000100Y4")
    assert not valid_org_code("M000100Y5")
