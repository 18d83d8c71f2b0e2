"""CN_USCC: unified social credit codes (统一社会信用代码) of companies, GB 32100.

18 characters: registration authority and type, a six-digit region code, the
nine-character organization code (itself check-digited, GB 11714) and a
base-31 check character. Both checks must pass. A code of digits only is also
a plausible order or loan number, so it needs context to count. Printed codes
often have a space after the first two and the next six characters
(`91 110000 600037341L`).
"""

from __future__ import annotations

from stdnum.cn import uscc

from gateway.detect.recognizers.base import (
    NOT_ALNUM_AFTER,
    NOT_ALNUM_BEFORE,
    SEP,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)

_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_C = "[0-9A-HJ-NPQRTUWXY]"
_HEAD = f"[0-9]{{2}}{SEP}?[0-9]{{6}}{SEP}?"  # authority and type, region


def valid_org_code(code: str) -> bool:
    """GB 11714 organization code: eight characters and a MOD 11 check."""
    if len(code) != 9 or any(c not in _ORG_ALPHABET for c in code[:8]):
        return False
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    expected = "X" if check == 10 else "0" if check == 11 else str(check)
    return code[8] == expected


def valid_uscc(code: str) -> bool:
    return uscc.is_valid(code) and valid_org_code(code[8:17])


class UsccRecognizer(ValidatingRecognizer):
    ENTITY = "CN_USCC"
    SPECS = (
        Spec("uscc", f"{NOT_ALNUM_BEFORE}{_HEAD}(?=[0-9]{{0,9}}[A-HJ-NPQRTUWXY]){_C}{{10}}"
             f"{NOT_ALNUM_AFTER}", 0.5, Gate(min_digits=8)),
        Spec("uscc (digits only)", f"{NOT_ALNUM_BEFORE}{_HEAD}[0-9]{{10}}{NOT_ALNUM_AFTER}", 0.3,
             Gate(min_digits=18)),
    )
    CONTEXT = ("统一社会信用代码", "信用代码", "社会信用", "纳税人识别号", "税号", "营业执照",
               "企业代码", "uscc", "creditcode", "taxno", "taxid", "businesslicense")

    def check(self, text: str) -> bool:
        return valid_uscc(compact(text))

