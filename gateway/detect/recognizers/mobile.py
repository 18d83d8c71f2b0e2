"""CN_MOBILE: mainland mobile numbers in allocated segments.

Eleven digits starting 13-19 in a segment the MIIT has allocated, optionally
after +86, 0086 or 86, the long-distance 0 (015011111111: a mobile dialled from
another city) or an IP-dialling prefix (17951, 12593), with single separators
anywhere (138 0013 8000, 138-0013-8000). Numbers outside the allocated
segments are not mobiles.
"""

from __future__ import annotations

from gateway.detect.recognizers.base import (
    NUMBER_AFTER,
    NUMBER_BEFORE,
    SEP,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)

# Three-digit prefixes in use for mobile service (including data-only 14x and
# the virtual-operator 170/171 and 162/165/167 ranges).
SEGMENTS = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "174", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)


DIAL_PREFIXES = ("17951", "12593")  # IP long-distance dialling


def valid_mobile(number: str) -> bool:
    for prefix in ("+86", "0086", "86", "0", *DIAL_PREFIXES):
        if number.startswith(prefix) and len(number) == 11 + len(prefix):
            number = number[len(prefix):]
            break
    return len(number) == 11 and number.isdigit() and number[:3] in SEGMENTS


class MobileRecognizer(ValidatingRecognizer):
    ENTITY = "CN_MOBILE"
    SPECS = (
        Spec("mobile",
             f"{NUMBER_BEFORE}(?:(?:\\+|00)?86{SEP}?|0|(?:17951|12593){SEP}?)?"
             f"1{SEP}?[3-9](?:{SEP}?[0-9]){{9}}"
             f"{NUMBER_AFTER}",
             0.5, Gate(min_digits=11)),
    )
    CONTEXT = ("手机", "电话", "联系方式", "号码", "mobile", "phone", "tel", "cell", "contact",
               "sjh")

    def check(self, text: str) -> bool:
        return valid_mobile(compact(text))

