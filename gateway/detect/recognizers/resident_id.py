"""CN_RESIDENT_ID: resident identity card numbers (居民身份证号码), GB 11643.

18 characters: a six-digit region code, a birth date, a sequence number and a
MOD 11-2 check character (0-9 or X). The legacy 15-digit form (before 1999)
has a two-digit year and no check character, so it needs context to count.
Residence permits of Hong Kong, Macau and Taiwan residents (港澳台居民居住证,
since 2018) have the same form with the region codes 810000, 820000 and 830000.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric

from gateway.detect.recognizers.base import (
    NUMBER_AFTER,
    NUMBER_BEFORE,
    SEP,
    Gate,
    Spec,
    ValidatingRecognizer,
    compact,
    digits,
)

# First two digits: provinces, autonomous regions and municipalities (GB/T 2260),
# plus 71 (Taiwan), 81 (Hong Kong), 82 (Macau) and 83 (Taiwan, residence permits).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})

# Residence permits of Hong Kong, Macau and Taiwan residents: region 810000/820000/830000.
PERMITS = frozenset({"81", "82", "83"})


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def valid_resident_id(number: str) -> bool:
    if len(number) == 18:
        if not number[:17].isdigit() or number[17] not in "0123456789X":
            return False
        if ric.calc_check_digit(number) != number[17]:
            return False
        year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    elif len(number) == 15 and number.isdigit():
        year, month, day = 1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])
    else:
        return False
    return (number[:2] in PROVINCES and (number[2:6] != "0000" or number[:2] in PERMITS)
            and _real_date(year, month, day))


class ResidentIdRecognizer(ValidatingRecognizer):
    ENTITY = "CN_RESIDENT_ID"
    SPECS = (
        Spec("resident id (18)",
             f"{NUMBER_BEFORE}{digits(17)}{SEP}?[0-9X]{NUMBER_AFTER}", 0.6,
             Gate(min_digits=17)),
        Spec("resident id (15, legacy)", f"{NUMBER_BEFORE}{digits(15)}{NUMBER_AFTER}",
             0.3, Gate(min_digits=15)),
    )
    CONTEXT = ("身份证", "证件号", "证件号码", "公民身份", "身份号码", "居民身份", "居住证",
               "idcard", "idno", "idnumber", "identity", "certno", "certid", "certificate", "sfz",
               "id_card")

    def check(self, text: str) -> bool:
        return valid_resident_id(compact(text))
