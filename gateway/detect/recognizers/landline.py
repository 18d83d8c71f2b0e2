"""CN_LANDLINE: fixed-line numbers with an area code (010-12345678, 0755 8888 6666).

The area code is 010, 02X, or a four-digit code 03XX-09XX (after +86 or 0086
without its 0: +86-755-86013388, +86 (10) 8888 6666); the local number has 7
or 8 digits and does not start with 0 or 1. An extension (转123, ext 123) may
follow. Without an area code a 7-8 digit number is not reported.
"""

from __future__ import annotations

import regex

from gateway.detect.recognizers.base import (
    NUMBER_AFTER,
    NUMBER_BEFORE,
    SEP,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)

_AREA_DIGITS = r"(?:10|2[0-9]|[3-9][0-9]{2})"
_AREA = f"0{_AREA_DIGITS}"
_INTL = f"(?:\\+|00)86{SEP}?"
_LOCAL = f"[2-9][0-9]{{2,3}}{SEP}?[0-9]{{4}}"
_PARTS = regex.compile(f"(?:{_INTL}\\(?{_AREA_DIGITS}|\\(?{_AREA})\\)?{SEP}?({_LOCAL})")


def valid_landline(text: str) -> bool:
    """An area code, then a local number of 7 or 8 digits that is not one
    repeated digit (a placeholder such as 0755-88888888)."""
    parts = _PARTS.match(text)
    if parts is None:
        return False
    local = compact(parts[1])
    return len(local) in (7, 8) and len(set(local)) > 1


class LandlineRecognizer(ValidatingRecognizer):
    ENTITY = "CN_LANDLINE"
    SPECS = (
        Spec("landline",
             f"{NUMBER_BEFORE}(?:\\({_AREA}\\)|{_AREA}"
             f"|{_INTL}(?:\\({_AREA_DIGITS}\\)|{_AREA_DIGITS})){SEP}?{_LOCAL}"
             f"(?:{SEP}?(?:转|ext\\.?){SEP}?[0-9]{{1,5}}|-[0-9]{{1,5}})?{NUMBER_AFTER}",
             0.45, Gate(min_digits=7)),
    )
    CONTEXT = ("电话", "座机", "固话", "固定电话", "单位电话", "公司电话", "家庭电话", "联系方式",
               "phone", "tel", "landline", "fax", "传真")

    def check(self, text: str) -> bool:
        return valid_landline(text)
