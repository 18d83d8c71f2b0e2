"""Generalizations: a value made coarser instead of hidden (pure functions).

Each returns the coarser form, or None when the value does not have the
expected shape (the operator then masks it whole: a value it cannot read is
never passed on as it was). `year`, `region` and `band` have twins in the
native core (`gateway/native/generalize.pxi`) for the values it handles; the
patterns use ASCII digits and spaces only so that both read them alike.
"""

from __future__ import annotations

import ipaddress
import math
import re
from bisect import bisect_right
from datetime import UTC, datetime

HIDDEN = "***"  # what stands for the dropped part of a region: its length is not shown
_DATE = re.compile(r"([0-9]{4})([-/.年])?([0-9]{1,2})([-/.月])?([0-9]{1,2})(日)?(?:[T ].*)?",
                   re.DOTALL)
_EPOCH = re.compile(r"[0-9]{9,10}|[0-9]{12,13}")  # seconds or milliseconds
_MUNICIPALITY = re.compile(r"(北京|上海|天津|重庆)(市)?")
_PROVINCE = re.compile(r".{2,8}?(?:省|自治区|特别行政区)")
_CITY = re.compile(r".{1,10}?(?:市|自治州|地区|盟)")
_NUMBER = re.compile(r"[¥￥$]? *(-?[0-9][0-9,]*(?:\.[0-9]+)?) *(元|万元|CNY|RMB)?")
_COORDINATE = re.compile(r"-?[0-9]{1,3}\.[0-9]+")


def year(value: str) -> str | None:
    """1996-01-27 -> 1996-**-**; 1996年1月27日 -> 1996年**月**日; 19960127 ->
    1996****; epoch seconds or milliseconds -> the year."""
    text = value.strip()
    if _EPOCH.fullmatch(text):
        seconds = int(text) / (1000 if len(text) > 10 else 1)
        return str(datetime.fromtimestamp(seconds, UTC).year)
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    y, sep1, month, sep2, day, suffix = match.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{y}{sep1 or ''}{'*' * len(month)}{sep2 or ''}{'*' * len(day)}{suffix or ''}"


def region(value: str, level: str) -> str | None:
    """An address or an issuing authority cut to its province or city:
    湖北省武汉市武昌区公安局 -> 湖北省武汉市*** (city) or 湖北省*** (province).
    A municipality is its own city: 北京市朝阳区... -> 北京市***."""
    text = value.strip()
    municipality = _MUNICIPALITY.match(text)
    if municipality:
        kept = municipality[0]
    else:
        province = _PROVINCE.match(text)
        rest = text[province.end():] if province else text
        city = _CITY.match(rest)
        if province is None and city is None:
            return None
        kept = province[0] if province else ""
        if city is not None and (level == "city" or province is None):
            kept += city[0]
    return kept + HIDDEN if len(kept) < len(text) else kept


def band(value: str, edges: tuple[float, ...] | None) -> str | None:
    """An amount as a range: with `edges`, the interval it falls in ("8000-12000",
    "50000+", "<0"); without, one significant digit (28000 -> "20000-30000").
    An amount in 万元 is counted in yuan."""
    match = _NUMBER.fullmatch(value.strip())
    if match is None:
        return None
    number = float(match[1].replace(",", ""))
    if match[2] == "万元":
        number *= 10000
    if edges:
        i = bisect_right(edges, number)
        if i == 0:
            return f"<{_num(edges[0])}"
        if i == len(edges):
            return f"{_num(edges[-1])}+"
        return f"{_num(edges[i - 1])}-{_num(edges[i])}"
    if number < 0:
        return "<0"
    if number < 10:
        return "0-10"
    width = 10 ** math.floor(math.log10(number))
    low = math.floor(number / width) * width
    return f"{_num(low)}-{_num(low + width)}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def coarse(value: str, decimals: int) -> str | None:
    """Coordinates rounded: 30.546912,114.342104 -> 30.5,114.3 (one decimal is
    about 11 km)."""
    text = value.strip()
    if not _COORDINATE.search(text) or re.search(r"[^0-9 .,;:\-+°NSEW/]", text):
        return None
    return str(_COORDINATE.sub(lambda m: f"{float(m[0]):.{decimals}f}", text))


def prefix(value: str, char: str) -> str | None:
    """An IP address cut to its network: 200.168.4.175 -> 200.168.*.* (/16),
    2001:db8:1:2::5 -> 2001:db8:*:*:*:*:*:* (/32)."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 4:
        return ".".join([*str(address).split(".")[:2], char, char])
    groups = address.exploded.split(":")
    return ":".join([g.lstrip("0") or "0" for g in groups[:2]] + [char] * 6)
