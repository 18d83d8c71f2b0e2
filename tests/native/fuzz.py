"""Seeded random texts and field names for the differential tests.

The texts are built to reach the corners where a hand-written matcher could
part from the `regex` patterns it emulates: valid identifiers of every type
glued to each other, to letters and digits, split by one or two separators of
every kind, cut short or grown by a character, in full-width forms, inside
Chinese prose, on several lines; plus pure noise from the characters the
patterns care about. Nothing here is derived from the native code.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from gateway.detect.recognizers.address import ENGLISH_MARKERS, MARKERS, PLACES, STREET_ENDS
from gateway.detect.recognizers.person_name import (
    CUES,
    DISPLAY_BLOCKED,
    DISPLAY_LEFT,
    DISPLAY_TITLES,
    HONORIFICS,
    VERB_LEFT,
    VERBS,
)
from tests.detect import values

GENERATORS: tuple[Callable[[random.Random], str], ...] = (
    values.resident_id, values.resident_id_15, values.mobile, values.landline,
    values.unionpay_card, values.visa_card, values.mastercard, values.uscc_code,
    values.passport, values.hk_macau_permit, values.home_return_permit, values.plate,
    values.email, values.ipv4, values.ipv6, values.person_name, values.address,
    lambda rng: values.resident_id(rng, lower_x=True),
    lambda rng: "+86" + values.mobile(rng), lambda rng: "0086 " + values.mobile(rng),
    lambda rng: f"({rng.choice(('010', '0755', '021'))}){rng.randrange(2000000, 99999999)}"
                f"{rng.choice(('', '转123', ' ext.45', '-6'))}",
    lambda rng: f"{values.luhn_number(rng, rng.choice(('34', '37')), 15)}",
    lambda rng: f"{values.luhn_number(rng, rng.choice(('300', '36', '38')), 14)}",
    lambda rng: f"{values.luhn_number(rng, '35', 16)}",
    lambda rng: f"{values.luhn_number(rng, '2', 16)}",
    lambda rng: "L" + f"{rng.randrange(10**8):08d}",
    lambda rng: rng.choice("DSP") + rng.choice(("", "E")) + f"{rng.randrange(10**7):07d}",
    lambda rng: "W" + f"{rng.randrange(10**8):08d}",
    lambda rng: f"{rng.randrange(10**8):08d}",
    lambda rng: "::" + rng.choice(("1", "ffff:1.2.3.4", "a:b", "2:3:4:5:6:7:8")),
    lambda rng: "·".join(rng.choice(("买买提", "艾力", "古丽", "阿依")) for _ in range(2)),
    lambda rng: " ".join(rng.choice(("John", "SMITH", "li", "Wang", "O'Neil", "Anne-Marie"))
                         for _ in range(rng.randrange(1, 6))),
    lambda rng: rng.choice(PLACES) + "".join(rng.choice("市区县中山人民路新村") for _ in
                                             range(rng.randrange(0, 8)))
                + rng.choice(STREET_ENDS),
)
SEPARATORS = (" ", "-", "_", "\u2014", "\u2010", "\u2212", "  ", "--", "\t", "\u3000")
NOISE = ("0123456789" * 3 + "XxEGCWHMLDSPabcdefABCDEF" + "@.:+()#-_ \n\t" + "转extEXT·•"
         + "省市区县路号室栋楼层单元自治区小区" + "王李张欧阳司马" + "".join(PLACES[:6])
         + "０１２３４５６７８９ＡＸ＠．：" + "一二三四五六七八九零" + "，。：（）")
PROSE = ("借款人", "联系电话", "身份证号", "手机", "银行卡", "卡号", "邮箱", "地址", "住址",
         "今天", "已逾期", "，", "。", "、", "电话：", "tel ", "card no ", "ip ", "车牌",
         *CUES, *HONORIFICS, *MARKERS, *ENGLISH_MARKERS, *DISPLAY_TITLES, *DISPLAY_LEFT,
         *DISPLAY_BLOCKED, *VERBS, *VERB_LEFT)
HINTS = ("", "idNo", "mobile", "phone", "tel", "bankCard", "cardNo", "account", "email", "ip",
         "name", "realName", "custName", "contactName", "productName", "bankName", "address",
         "homeAddr", "companyAddress", "remark", "note", "data", "姓名", "地址", "联系人",
         "passport", "permit", "plate", "uscc", "creditCode", "台胞证", "护照", "khxm", "jtzz")


def _spread(rng: random.Random, text: str) -> str:
    """Separators between some characters."""
    out = []
    for char in text:
        out.append(char)
        if rng.random() < 0.15:
            out.append(rng.choice(SEPARATORS))
    return "".join(out)


def _mutate(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if not text or roll < 0.4:
        return text
    i = rng.randrange(len(text))
    if roll < 0.55:
        return text[:i] + text[i + 1:]
    if roll < 0.7:
        return text[:i] + rng.choice(NOISE) + text[i:]
    if roll < 0.8:
        return text[:i] + rng.choice(NOISE) + text[i + 1:]
    if roll < 0.9:
        return _spread(rng, text)
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and rng.random() < 0.5 else c
                   for c in text)


def atom(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return _mutate(rng, rng.choice(GENERATORS)(rng))
    if roll < 0.8:
        return rng.choice(PROSE)
    return "".join(rng.choice(NOISE) for _ in range(rng.randrange(1, 8)))


def text(rng: random.Random) -> str:
    parts = [atom(rng) for _ in range(rng.choice((1, 1, 1, 2, 3, 5)))]
    glue = rng.choice(("", "", " ", "\n", ",", "-", "x", "1", "，"))
    return glue.join(parts)


def hints(rng: random.Random) -> tuple[str, ...]:
    count = rng.choice((0, 1, 1, 2))
    return tuple(h for h in (rng.choice(HINTS) for _ in range(count)) if h)
