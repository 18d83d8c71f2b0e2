"""`mask`: keep the first N and last M characters, mask the rest.

Separators (spaces, dashes) stay where they are and do not count, so
`138 0013 8000` becomes `138 **** 8000`. Defaults follow the display
conventions of Chinese financial apps; `keep_first`/`keep_last` override them.
Addresses keep everything up to the district (区/县/旗) and mask the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gateway.operators.base import OperatorContext, check_params, int_param
from gateway.operators.site import Site

# entity -> (keep_first, keep_last)
DEFAULTS: dict[str, tuple[int, int]] = {
    "CN_MOBILE": (3, 4), "CN_LANDLINE": (4, 2), "CN_BANK_CARD": (6, 4), "CREDIT_CARD": (6, 4),
    "CN_RESIDENT_ID": (1, 1), "PERSON_NAME": (1, 0), "CN_USCC": (2, 2), "CN_PASSPORT": (1, 2),
    "CN_HK_MACAU_PERMIT": (1, 2), "CN_HOME_RETURN_PERMIT": (1, 2), "CN_TAIWAN_PERMIT": (1, 2),
    "CN_LICENSE_PLATE": (2, 1), "EMAIL_ADDRESS": (1, 0), "IP_ADDRESS": (0, 0),
}
FALLBACK = (1, 1)
_SEPARATORS = frozenset(" -_.@/:·+()\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u3000")
_DISTRICT_ENDS = ("区", "县", "旗")


def mask_text(value: str, keep_first: int, keep_last: int, char: str) -> str:
    positions = [i for i, c in enumerate(value) if c not in _SEPARATORS]
    if keep_first + keep_last >= len(positions):
        # Too short to keep anything and still hide something: mask it all.
        keep = set()
    else:
        keep = set(positions[:keep_first]) | set(positions[len(positions) - keep_last:])
    return "".join(c if (i in keep or c in _SEPARATORS) else char for i, c in enumerate(value))


def mask_email(value: str, char: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_text(value, 1, 0, char)
    return mask_text(local, 1, 0, char) + "@" + domain


def mask_ip(value: str, char: str) -> str:
    if "." in value:
        parts = value.split(".")
        return ".".join(parts[:2] + [char] * (len(parts) - 2))
    groups = value.split(":")
    return ":".join(groups[:2] + [char if g else g for g in groups[2:]])


def mask_address(value: str, char: str) -> str:
    cut = max((value.find(end) + 1 for end in _DISTRICT_ENDS if end in value[:20]), default=0)
    if cut == 0:
        cut = min(3, len(value) // 3)
    return value[:cut] + "".join(c if c in _SEPARATORS else char for c in value[cut:])


@dataclass(frozen=True, slots=True)
class Mask:
    name: ClassVar[str] = "mask"
    keep_first: int | None
    keep_last: int | None
    char: str

    def apply(self, value: str, entity: str, site: Site) -> str:
        if self.keep_first is None and self.keep_last is None:
            if entity == "ADDRESS":
                return mask_address(value, self.char)
            if entity == "EMAIL_ADDRESS":
                return mask_email(value, self.char)
            if entity == "IP_ADDRESS":
                return mask_ip(value, self.char)
        first, last = DEFAULTS.get(entity, FALLBACK)
        if entity == "CN_MOBILE":  # keep a +86 / 0086 prefix and mask the number after it
            first += max(0, sum(c.isdigit() for c in value) - 11)
        return mask_text(value, first if self.keep_first is None else self.keep_first,
                         last if self.keep_last is None else self.keep_last, self.char)


def make_mask(params: Mapping[str, Any], context: OperatorContext) -> Mask:
    check_params(params, {"keep_first", "keep_last", "char"})
    char = params.get("char", "*")
    if not isinstance(char, str) or len(char) != 1:
        raise ValueError("char must be a single character")
    first = int_param(params, "keep_first", 0, 0, 64) if "keep_first" in params else None
    last = int_param(params, "keep_last", 0, 0, 64) if "keep_last" in params else None
    return Mask(first, last, char)
