"""An attacker's count: how many real resident-ID and mobile numbers fit what
a caller sees of one borrower.

Written from the domain, not from the gateway: GB 11643 (region code, birth
date, sequence whose parity is the gender, ISO 7064 check character), the
administrative-division table that python-stdnum ships (codes valid in the
birth year, county level), and the mobile number-block table that
phonenumbers ships (which 7-digit prefixes belong to which city). Everything
the view shows narrows the count: visible characters of the number itself, the
birth date or year, the gender, the most specific region any address or
issuing authority shows.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

import phonenumbers
from phonenumbers import geocoder

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # check character by weighted sum mod 11
CAP = 10**9  # counts stop growing here (nothing needs more)
MOBILE_SEGMENTS = tuple(f"1{d}{e}" for d in "3456789" for e in "0123456789")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    province: str
    prefecture: str  # "" for a municipality's districts
    county: str
    years: tuple[tuple[int, int], ...]  # (from, to) during which the code was in use


@cache
def regions() -> tuple[Region, ...]:
    """County-level codes (last two digits not 00) from stdnum's table."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text("utf-8")
    out: list[Region] = []
    province, prefix, prefectures = "", "", {}  # prefectures: 4-digit code -> name
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix, rest = line.split(" ", 1)
            province = _names(rest)[0][0]
            prefectures = {}
            continue
        sub, rest = line.strip().split(" ", 1)
        code = prefix + sub
        names = _names(rest)
        if sub.endswith("00"):
            name = names[-1][0]
            prefectures[code[:4]] = "" if name in ("市辖区", "县", province) else name
            continue
        out.append(Region(code, province, prefectures.get(code[:4], ""), names[-1][0],
                          tuple((a, b) for _, a, b in names)))
    return tuple(out)


def _names(rest: str) -> list[tuple[str, int, int]]:
    """`county="[1983-]武昌区"` -> [("武昌区", 1983, 9999)] (names with years)."""
    value = re.search(r'="([^"]*)"', rest)
    assert value is not None
    names = []
    for piece in value[1].split(","):
        m = re.match(r"\[(\d*)-(\d*)\](.*)", piece)
        if m:
            names.append((m[3], int(m[1] or 0), int(m[2] or 9999)))
        else:
            names.append((piece, 0, 9999))
    return names


@cache
def _region_of(text: str) -> tuple[str, str, str]:
    """(province, prefecture, county) that one text starts with."""
    text = text.replace("*", "")
    found = ("", "", "")
    for r in regions():
        if not text.startswith(r.province):
            continue
        rest = text[len(r.province):]
        pref = r.prefecture if r.prefecture and rest.startswith(r.prefecture) else ""
        rest = rest[len(pref):]
        county = r.county if (pref or not r.prefecture) and rest.startswith(r.county) else ""
        candidate = (r.province, pref, county)
        if sum(map(bool, candidate)) > sum(map(bool, found)):
            found = candidate
    return found


def region_constraint(texts: list[str]) -> tuple[str, str, str]:
    """(province, prefecture, county) named by the most specific of `texts`
    (masked parts removed); empty strings for what none of them shows."""
    return max((_region_of(t) for t in texts), key=lambda f: sum(map(bool, f)),
               default=("", "", ""))


def _fits(pattern: str, text: str) -> bool:
    return all(p in ("*", c) for p, c in zip(pattern, text, strict=True))


def id_candidates(record: Mapping[str, str]) -> int:
    """Resident-ID numbers consistent with the visible `id` (18 characters, `*`
    hidden, or anything else: nothing visible), `birth` (a date, `YYYY-**-**`
    or nothing), `gender` (男/女 or nothing) and `regions` (texts)."""
    pattern = record.get("id", "")
    if len(pattern) != 18:
        pattern = "*" * 18
    province, prefecture, county = region_constraint(record.get("regions", []))
    days = list(_birth_days(record.get("birth", "")))
    codes = [r for r in regions()
             if (not province or r.province == province)
             and (not prefecture or r.prefecture == prefecture)
             and (not county or r.county == county) and _fits(pattern[:6], r.code)]
    parity = {"男": 1, "女": 0}.get(record.get("gender", ""))
    seqs = [f"{s:03d}" for s in range(1000)
            if _fits(pattern[14:17], f"{s:03d}") and (parity is None or s % 2 == parity)]
    by_seq = Counter(_weighted(s, 14) % 11 for s in seqs)
    total = 0
    for year, days in _birth_days(record.get("birth", "")):
        by_region = Counter(_weighted(r.code, 0) % 11 for r in codes
                            if any(a <= year <= b for a, b in r.years))
        by_day = Counter(_weighted(d, 6) % 11 for d in days if _fits(pattern[6:14], d))
        for a, n_region in by_region.items():
            for b, n_day in by_day.items():
                if pattern[17] == "*":
                    total += n_region * n_day * len(seqs)
                    continue
                total += n_region * n_day * sum(
                    n for c, n in by_seq.items() if CHECK[(a + b + c) % 11] == pattern[17])
        if total >= CAP:
            return CAP
    return total


def _weighted(digits: str, offset: int) -> int:
    return sum(int(d) * WEIGHTS[offset + i] for i, d in enumerate(digits))


def _birth_days(birth: str) -> Iterator[tuple[int, list[str]]]:
    """(year, its possible birth dates as YYYYMMDD) for a visible birth date,
    a visible year (`1996-**-**`) or nothing (every year from 1930 to 2008)."""
    m = re.match(r"^(\d{4})-(\d{2}|\*\*)-(\d{2}|\*\*)$", birth)
    if m and m[2] != "**" and m[3] != "**":
        yield int(m[1]), [f"{m[1]}{m[2]}{m[3]}"]
        return
    for y in (range(int(m[1]), int(m[1]) + 1) if m else range(1930, 2009)):
        start = date(y, 1, 1)
        yield y, [f"{start + timedelta(days=i):%Y%m%d}"
                  for i in range(366 if calendar.isleap(y) else 365)]


@cache
def _blocks(segment: str) -> tuple[tuple[str, str], ...]:
    """(block, city) for the 10,000 number blocks of one mobile segment
    (phonenumbers' zh geocoder: 湖北省武汉市, 北京市, ...; "" when unknown)."""
    return tuple(
        (f"{b:04d}", geocoder.description_for_number(
            phonenumbers.parse(f"+86{segment}{b:04d}0000"), "zh"))
        for b in range(10000))


@cache
def _blocks_in(segment: str, hlr: str, city: str) -> int:
    """Blocks of `segment` whose digits fit `hlr` and that may lie in `city`:
    those the table places there, and those it places nowhere more precise
    than the country (newer segments such as 199): no attacker can rule them out."""
    return sum(1 for block, place in _blocks(segment)
               if (place in ("", "中国") or place.startswith(city)) and _fits(hlr, block))


def mobile_candidates(pattern: str, city_texts: list[str]) -> int:
    """Mobile numbers consistent with the visible pattern (11 characters, `*`
    hidden; anything else: nothing visible) whose block lies in the city the
    view shows (if it shows one)."""
    if len(pattern) != 11:
        pattern = "*" * 11
    province, prefecture, _ = region_constraint(city_texts)
    tail = 10 ** pattern[7:].count("*")
    return sum(_blocks_in(segment, pattern[3:7], province + prefecture) * tail
               for segment in MOBILE_SEGMENTS if _fits(pattern[:3], segment))
