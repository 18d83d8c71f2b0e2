"""Seeded generators of valid (and almost valid) identifiers for the tests.

Everything is synthetic: check characters are computed, never copied.
"""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from stdnum import luhn
from stdnum.cn import ric, uscc

from gateway.demo.data import GIVEN, SURNAMES
from gateway.detect.recognizers.mobile import SEGMENTS
from gateway.detect.recognizers.resident_id import PROVINCES, valid_resident_id
from gateway.detect.recognizers.uscc import valid_uscc

SEGMENT_LIST = sorted(SEGMENTS)
UNALLOCATED = [f"1{d}{e}" for d in "0123456789" for e in "0123456789"
               if f"1{d}{e}" not in SEGMENTS]
PROVINCE_LIST = sorted(PROVINCES - {"71", "81", "82", "83"})
RARE_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "慕容", "令狐", "公孙", "司徒", "夏侯",
                 "长孙", "宇文", "端木", "申屠")
MORE_SURNAMES = "阎闵苟邬佟葛邢翟殷詹庞倪庄聂章鲁岳覃"


def resident_id(rng: random.Random, lower_x: bool = False) -> str:
    while True:
        region = rng.choice(PROVINCE_LIST) + f"{rng.randrange(1, 10000):04d}"
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if valid_resident_id(number):
            return number.lower() if lower_x else number


def resident_id_15(rng: random.Random) -> str:
    region = rng.choice(PROVINCE_LIST) + f"{rng.randrange(1, 10000):04d}"
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 59))
    return f"{region}{born:%y%m%d}{rng.randrange(1000):03d}"


def mobile(rng: random.Random) -> str:
    return rng.choice(SEGMENT_LIST) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    area = rng.choice(("010", "021", "020", "0755", "0571", "028", "0532", "0898"))
    local = f"{rng.randrange(2, 10)}{rng.randrange(10**7):07d}"
    return f"{area}-{local}" if rng.random() < 0.7 else f"{area}{local}"


def luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def unionpay_card(rng: random.Random) -> str:
    return luhn_number(rng, rng.choice(("622202", "622848", "621700", "622588", "621661")),
                       rng.choice((16, 19)))


def visa_card(rng: random.Random) -> str:
    return luhn_number(rng, "4" + str(rng.randrange(10)), 16)


def mastercard(rng: random.Random) -> str:
    return luhn_number(rng, f"5{rng.randrange(1, 6)}", 16)


def uscc_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        org = "".join(rng.choice(string.digits + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        weights = (3, 7, 9, 10, 5, 8, 4, 2)
        total = sum(int(c, 36) * w for c, w in zip(org, weights, strict=True))
        check = 11 - total % 11
        org += "X" if check == 10 else "0" if check == 11 else str(check)
        body = rng.choice("9159") + rng.choice("123") + rng.choice(PROVINCE_LIST) + \
            f"{rng.randrange(1, 10000):04d}" + org
        code = body + uscc.calc_check_digit(body + "0")
        if valid_uscc(code) and any(c.isalpha() for c in code) and code[-1] in alphabet:
            return code


def passport(rng: random.Random) -> str:
    return rng.choice(("E", "G")) + f"{rng.randrange(10**7, 10**8):08d}"


def hk_macau_permit(rng: random.Random) -> str:
    return "C" + rng.choice("ABCDEFGH123456789") + f"{rng.randrange(10**6, 10**7):07d}"


def home_return_permit(rng: random.Random) -> str:
    return rng.choice("HM") + f"{rng.randrange(10**7, 10**8):08d}"


def plate(rng: random.Random) -> str:
    province = rng.choice("京沪粤浙苏川鄂鲁豫湘")
    letter = rng.choice("ABCDEFGHJK")
    if rng.random() < 0.2:
        return province + letter + rng.choice("DF") + f"{rng.randrange(10**5):05d}"
    return province + letter + f"{rng.randrange(10**5):05d}"


def email(rng: random.Random) -> str:
    user = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randrange(3, 10)))
    if rng.random() < 0.5:
        user += str(rng.randrange(100))
    return f"{user}@{rng.choice(('qq.com', '163.com', 'example.cn', 'corp.example.com.cn'))}"


def ipv4(rng: random.Random) -> str:
    first = rng.choice((36, 58, 101, 110, 114, 120, 183, 202, 218, 222))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randrange(65536):x}" for _ in range(8)]
    if rng.random() < 0.5:
        return "2408:" + ":".join(groups[1:4]) + "::" + groups[7]
    return "2409:" + ":".join(groups[1:])


# How people save contacts and how collectors refer to them: kinship words,
# forms of address at work and office titles (one in eight with the title
# first: 老王, 小李).
KINSHIP = ("姐", "哥", "叔", "姨", "婶", "嫂", "伯", "阿姨", "大姐", "大哥", "叔叔")
WORK_TITLES = ("总", "老师", "经理", "师傅", "老板", "主任", "医生", "律师", "会计", "主管",
               "总经理", "局长", "处长", "科长", "队长", "行长")


def display_name(rng: random.Random) -> str:
    """A contact's display name: a common surname and a kinship or work title
    (王姐, 李总, 吴老师), one in eight written the other way round (老王, 小李)."""
    surname = rng.choice(SURNAMES + MORE_SURNAMES)
    if rng.random() < 0.125:
        return rng.choice("老小") + surname
    return surname + rng.choice(KINSHIP if rng.random() < 0.5 else WORK_TITLES)


def person_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        surname = rng.choice(RARE_SURNAMES)
    elif roll < 0.15:
        surname = rng.choice(MORE_SURNAMES)
    else:
        surname = rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


PLACES = (("北京市", "朝阳区"), ("上海市", "浦东新区"), ("广东省深圳市", "南山区"),
          ("浙江省杭州市", "西湖区"), ("四川省成都市", "武侯区"), ("湖北省武汉市", "洪山区"),
          ("江苏省南京市", "鼓楼区"), ("河南省郑州市", "金水区"), ("", "海淀区"))
STREETS = ("建国路", "中山路", "人民路", "解放大道", "科技园南路", "文三路", "长江路", "学院路")


def address(rng: random.Random) -> str:
    province, district = rng.choice(PLACES)
    text = f"{province}{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
    if rng.random() < 0.7:
        text += f"{rng.randrange(1, 30)}栋{rng.randrange(101, 2999)}室"
    return text


# Prefecture-level and county-level cities and counties outside the big
# cities, as borrowers write their addresses (no province in front), with a
# district, town or street office of their own.
TOWNS = (("宜昌市", ("西陵区", "伍家岗区", "夷陵区")), ("襄阳市", ("樊城区", "襄城区")),
         ("绵阳市", ("涪城区", "游仙区")), ("赣州市", ("章贡区", "南康区")),
         ("桂林市", ("七星区", "象山区")), ("遵义市", ("红花岗区", "汇川区")),
         ("义乌市", ("稠城街道", "北苑街道")), ("昆山市", ("玉山镇", "花桥镇")),
         ("晋江市", ("青阳街道", "陈埭镇")), ("慈溪市", ("浒山街道", "观海卫镇")),
         ("张家港市", ("杨舍镇", "金港镇")), ("湘潭县", ("易俗河镇",)), ("南昌县", ("莲塘镇",)),
         ("长沙县", ("星沙街道",)), ("荆州市", ("沙市区", "荆州区")), ("岳阳市", ("岳阳楼区",)),
         ("衡阳市", ("蒸湘区", "雁峰区")), ("九江市", ("浔阳区", "濂溪区")),
         ("南阳市", ("卧龙区", "宛城区")), ("商丘市", ("梁园区", "睢阳区")),
         ("临沂市", ("兰山区", "罗庄区")), ("菏泽市", ("牡丹区",)),
         ("邯郸市", ("丛台区", "邯山区")),
         ("沧州市", ("运河区", "新华区")), ("普宁市", ("流沙东街道",)), ("诸暨市", ("暨阳街道",)))
TOWN_STREETS = ("夷陵大道", "解放路", "人民路", "建设路", "中山路", "新华路", "长江路", "胜利街",
                "工人北路", "东风路", "和平路", "滨江大道", "迎宾大道", "学院路")


def town_address(rng: random.Random) -> str:
    """An address from a city or county below the province: 宜昌市西陵区夷陵大道100号."""
    town, parts = rng.choice(TOWNS)
    text = f"{town}{rng.choice(parts) if rng.random() < 0.8 else ''}{rng.choice(TOWN_STREETS)}"
    text += f"{rng.randrange(1, 999)}号"
    if rng.random() < 0.5:
        text += f"{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元{rng.randrange(101, 2999)}室"
    return text


# --- formats from the public suites' failures (issue 14) -------------------

def residence_permit(rng: random.Random) -> str:
    """港澳台居民居住证: GB 11643 with the region 810000 (HK), 820000 (Macau) or
    830000 (Taiwan)."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    body = f"{rng.choice(('81', '82', '83'))}0000{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


CN_DOMAINS = ("公司.中国", "例子.中国", "邮件.公司", "网络.中国", "学校.网络")


def idn_email(rng: random.Random) -> str:
    """An internationalized address: a Chinese local part, a Chinese domain,
    or the domain in punycode as mail clients write it on the wire."""
    local = rng.choice((person_name(rng), "".join(
        rng.choice(string.ascii_lowercase) for _ in range(rng.randrange(3, 9)))))
    domain = rng.choice((*CN_DOMAINS, "qq.com", "163.com"))
    if rng.random() < 0.3 and not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def ipv6_edge(rng: random.Random) -> str:
    """Eight groups with one zero group at an end written as `::`."""
    groups = [f"{rng.randrange(1, 65536):x}" for _ in range(7)]
    return "::" + ":".join(groups) if rng.random() < 0.5 else ":".join(groups) + "::"


def dialled_mobile(rng: random.Random) -> str:
    """A mobile as dialled: the long-distance 0 or an IP prefix (17951, 12593)."""
    prefix = rng.choice(("0", "17951", "12593", "17951 ", "12593-"))
    return prefix + mobile(rng)


def spaced_uscc(rng: random.Random) -> str:
    code = uscc_code(rng)
    return f"{code[:2]} {code[2:8]} {code[8:]}"


def intl_landline(rng: random.Random) -> str:
    """A landline as written for callers abroad: +86 or 0086, the area code
    without its 0, optional parentheses and separators."""
    area = rng.choice(("10", "21", "20", "755", "571", "28", "532", "898"))
    local = f"{rng.randrange(2, 10)}{rng.randrange(10**7):07d}"
    prefix = rng.choice(("+86", "0086", "+86 ", "+86-"))
    area_part = rng.choice((area, f"({area})", f"{area}-", f"{area} "))
    if rng.random() < 0.5:
        return f"{prefix}{area_part}{local[:4]} {local[4:]}"
    return f"{prefix}{area_part}{local}"


def mastercard_2series(rng: random.Random) -> str:
    return luhn_number(rng, str(rng.randrange(2221, 2721)), 16)


def non_card_luhn(rng: random.Random) -> str:
    """Luhn-valid 16-19 digits outside every payment-card issuer range (ISO/IEC
    7812 major industry 0, 1, 7, 8, and 2 outside 2221-2720): loyalty, fuel,
    telecom numbers."""
    prefix = rng.choice(("1", "7", "8", "0", "20", "21", "2721", "28", "29"))
    return luhn_number(rng, prefix, rng.choice((16, 18, 19)))


def region_0000_id(rng: random.Random) -> str:
    """A GB 11643-shaped number with a province's xx0000 region: no ID or permit.
    (Not 62xxxx: eighteen digits starting 62 that pass Luhn are UnionPay cards
    by their form, whatever the field says.)"""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    province = rng.choice([p for p in PROVINCE_LIST if p != "62"])
    body = f"{province}0000{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")
