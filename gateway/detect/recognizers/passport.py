"""CN_PASSPORT: passports of the People's Republic of China.

Ordinary passports: E + 8 digits, E + a letter + 7 digits (from 2019) and the
older G + 8 digits; official ones: D, S or P + 7 or 8 digits. There is no
check digit outside the machine-readable zone, so a bare match is weak: it
counts with context (护照, passport) or a field hint, and runs of one repeated
digit are refused.
"""

from __future__ import annotations

from gateway.detect.recognizers.base import (
    NOT_ALNUM_AFTER,
    NOT_ALNUM_BEFORE,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)


def plausible_document_number(number: str) -> bool:
    """Not a placeholder: the digits are not all one repeated digit."""
    tail = "".join(c for c in number if c.isdigit())
    return len(tail) >= 7 and len(set(tail)) > 1


class DocumentNumberRecognizer(ValidatingRecognizer):
    """Travel documents without a check digit: any number but a placeholder."""

    def check(self, text: str) -> bool:
        return plausible_document_number(compact(text))


class PassportRecognizer(DocumentNumberRecognizer):
    ENTITY = "CN_PASSPORT"
    SPECS = (
        Spec("passport",
             f"{NOT_ALNUM_BEFORE}(?:[EG][0-9]{{8}}|E[A-HJ-NP-Z][0-9]{{7}}|[DSP]E?[0-9]{{7,8}})"
             f"{NOT_ALNUM_AFTER}", 0.3, Gate(min_digits=7)),
    )
    CONTEXT = ("护照", "passport", "护照号", "证件号", "证件号码")
