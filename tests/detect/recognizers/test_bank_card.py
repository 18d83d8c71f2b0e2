from __future__ import annotations

import pytest

from gateway.detect.recognizers.bank_card import valid_card_number
from tests.detect.recognizers.helpers import score, spans

CARD = "6222021234567890128"  # UnionPay, Luhn-valid
OTHER = "4111111111111111"     # Luhn-valid, not UnionPay


def test_unionpay_counts_alone_others_need_context() -> None:
    assert spans("CN_BANK_CARD", CARD) == [CARD]
    assert score("CN_BANK_CARD", CARD) == pytest.approx(0.5)
    assert score("CN_BANK_CARD", "银行卡号 " + CARD) == pytest.approx(0.85)
    assert spans("CN_BANK_CARD", OTHER) == []
    assert spans("CN_BANK_CARD", "卡号：" + OTHER) == [OTHER]
    assert spans("CN_BANK_CARD", OTHER, hints=("bankCardNo",)) == [OTHER]


@pytest.mark.parametrize("text", ["6222 0212 3456 7890 128", "6222-0212-3456-7890-128"])
def test_separators(text: str) -> None:
    assert spans("CN_BANK_CARD", text) == [text]


@pytest.mark.parametrize("text", ["6222021234567890127", "62220212345678", "622202123456789012812"])
def test_refused(text: str) -> None:
    assert spans("CN_BANK_CARD", text) == []


def test_validation() -> None:
    assert valid_card_number(CARD)
    assert not valid_card_number("6222021234567890127")
