from __future__ import annotations

import pytest

from tests.detect.recognizers.helpers import spans


@pytest.mark.parametrize("number", [
    "4111111111111111", "5500005555555559", "378282246310005", "3530111333300000",
    "2223000048400011", "4111 1111 1111 1111",
])
def test_brands(number: str) -> None:
    assert spans("CREDIT_CARD", number) == [number]


@pytest.mark.parametrize("number", [
    "4111111111111112",   # Luhn fails
    "6222021234567890128",  # UnionPay is CN_BANK_CARD
    "411111111111111",    # Visa of 15 digits
])
def test_refused(number: str) -> None:
    assert spans("CREDIT_CARD", number) == []
