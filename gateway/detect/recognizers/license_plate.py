"""CN_LICENSE_PLATE: mainland vehicle plates (京A12345, 粤B·D12345).

A province abbreviation, the issuing-authority letter, then five characters
(digits and letters other than I and O, at most two letters) or six for new
energy vehicles (D or F first or last, digits otherwise).
"""

from __future__ import annotations

from gateway.detect.recognizers.base import (
    NOT_ALNUM_AFTER,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
)

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_TAIL = "[A-HJ-NP-Z0-9]"


def valid_plate(text: str) -> bool:
    plate = compact(text).replace("·", "").replace("•", "")
    if len(plate) not in (7, 8) or plate[0] not in PROVINCES:
        return False
    tail = plate[2:]
    letters = sum(c.isalpha() for c in tail)
    if len(tail) == 5:
        return letters <= 2
    if tail[0] in "DF":
        return tail[1:].isdigit() or (tail[1].isalpha() and tail[2:].isdigit())
    return tail[-1] in "DF" and tail[:-1].isdigit()


class LicensePlateRecognizer(ValidatingRecognizer):
    ENTITY = "CN_LICENSE_PLATE"
    SPECS = (
        Spec("plate", f"[{PROVINCES}][A-HJ-NP-Z][·•]?{_TAIL}{{5,6}}{NOT_ALNUM_AFTER}", 0.5,
             Gate(trigger=f"[{PROVINCES}][A-HJ-NP-Za-hj-np-z]")),
    )
    CONTEXT = ("车牌", "车牌号", "号牌", "plate", "licenseplate", "vehicle", "carno")

    def check(self, text: str) -> bool:
        return valid_plate(text)
