"""CREDIT_CARD: international card brands (Visa, Mastercard, Amex, JCB, Diners).

Brand prefixes and lengths, then Luhn. UnionPay cards (62) are CN_BANK_CARD.
"""

from __future__ import annotations

from gateway.detect.recognizers.bank_card import valid_card_number
from gateway.detect.recognizers.base import (
    NUMBER_AFTER,
    NUMBER_BEFORE,
    SEP,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)

_D = f"(?:{SEP}?[0-9])"
_BRANDS = (
    f"4{_D}{{12}}(?:{_D}{{3}}(?:{_D}{{3}})?)?",            # Visa 13, 16 or 19
    f"5{SEP}?[1-5]{_D}{{14}}",                             # Mastercard 51-55
    f"2{SEP}?[2-7]{_D}{{14}}",                             # Mastercard 2-series
    f"3{SEP}?[47]{_D}{{13}}",                              # Amex 15
    f"3{SEP}?5{_D}{{14}}",                                 # JCB 16
    f"3{SEP}?(?:0{SEP}?[0-5]|[689]){_D}{{11,12}}",         # Diners 14
)


def _brand_ok(number: str) -> bool:
    if number[0] == "4":
        return len(number) in (13, 16, 19)
    if number[:2] in ("34", "37"):
        return len(number) == 15
    if number[0] == "3":
        return len(number) in (14, 16)
    return len(number) == 16


class CardBrandRecognizer(ValidatingRecognizer):
    ENTITY = "CREDIT_CARD"
    SPECS = (
        Spec("card brand", f"{NUMBER_BEFORE}(?:{'|'.join(_BRANDS)}){NUMBER_AFTER}", 0.5,
             Gate(min_digits=13)),
    )
    CONTEXT = ("信用卡", "卡号", "visa", "mastercard", "amex", "credit", "card", "cc")

    def check(self, text: str) -> bool:
        number = compact(text)
        return valid_card_number(number) and _brand_ok(number)
