"""CN_BANK_CARD: debit and credit card numbers issued in China.

16 to 19 digits passing the Luhn check, in a payment-card issuer range (ISO/IEC
7812: 3, 4, 5, 6, the domestic 9 series and Mastercard's 2221-2720; numbers
starting 0, 1, 7, 8 or another 2 are airline, petroleum, telecom or other
identifiers). UnionPay numbers (starting 62) count on their own; any other
Luhn-valid number of that length only counts with card context (银行卡, 卡号,
开户行, card) or a field hint, since many 16-19 digit identifiers pass Luhn by
chance (one in ten).
"""

from __future__ import annotations

from stdnum import luhn

from gateway.detect.recognizers.base import (
    NUMBER_AFTER,
    NUMBER_BEFORE,
    SEP,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)


def valid_card_number(number: str) -> bool:
    return (number.isdigit() and 13 <= len(number) <= 19 and issuer_range(number)
            and luhn.is_valid(number))


def issuer_range(number: str) -> bool:
    """A payment card's first digits (ISO/IEC 7812 major industry 3-6, the
    Chinese domestic 9 series, Mastercard 2221-2720)."""
    first = number[0]
    if first in "34569":
        return True
    return first == "2" and 2221 <= int(number[:4]) <= 2720


class BankCardRecognizer(ValidatingRecognizer):
    ENTITY = "CN_BANK_CARD"
    SPECS = (
        Spec("unionpay", f"{NUMBER_BEFORE}6{SEP}?2(?:{SEP}?[0-9]){{14,17}}{NUMBER_AFTER}",
             0.5, Gate(min_digits=16)),
        Spec("card number", f"{NUMBER_BEFORE}[0-9](?:{SEP}?[0-9]){{15,18}}{NUMBER_AFTER}",
             0.3, Gate(min_digits=16)),
    )
    CONTEXT = ("银行卡", "卡号", "开户行", "银行账号", "账号", "借记卡", "储蓄卡", "信用卡",
               "还款卡", "放款卡", "收款卡", "card", "bankcard", "acctno", "accountno", "account")

    def check(self, text: str) -> bool:
        number = compact(text)
        return 16 <= len(number) <= 19 and valid_card_number(number)
