"""Deterministic, realistic Chinese borrower data with valid check digits.

Every identifier is generated, never real: resident ID numbers carry a real
region code, a real date and a GB 11643 check character; bank cards start with
a UnionPay BIN and pass Luhn; mobiles sit in allocated segments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from stdnum import luhn
from stdnum.cn import ric

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国文玉梅红志海鹏飞婷雪琳浩宇欣怡子涵"
# (region code, province/city/district text) — codes valid for the birth years used.
REGIONS = (
    ("110105", "北京市朝阳区"), ("310104", "上海市徐汇区"), ("440305", "广东省深圳市南山区"),
    ("330106", "浙江省杭州市西湖区"), ("510107", "四川省成都市武侯区"),
    ("420106", "湖北省武汉市武昌区"), ("320106", "江苏省南京市鼓楼区"),
    ("370202", "山东省青岛市市南区"),
)
STREETS = ("建国路", "中山路", "人民路", "解放大道", "科技园南路", "文三路", "天府大道", "长江路")
EMPLOYERS = ("深圳市腾飞科技有限公司", "杭州云帆信息技术有限公司", "北京华信咨询有限公司",
             "上海浦江贸易有限公司", "成都蜀山餐饮管理有限公司", "武汉光谷制造有限公司")
MOBILE_PREFIXES = ("138", "139", "150", "158", "177", "186", "188", "199")
CARD_BINS = ("622202", "622848", "621700", "622588", "621661")
BANKS = {"622202": "中国工商银行", "622848": "中国农业银行", "621700": "中国建设银行",
         "622588": "招商银行", "621661": "中国银行"}
RELATIONS = ("配偶", "父亲", "母亲", "同事", "朋友")
AREA_CODES = ("010", "021", "0755", "0571", "028", "027", "025", "0532")
EDUCATION = ("高中", "大专", "本科", "硕士")
MARITAL = ("未婚", "已婚", "离异")
OCCUPATIONS = ("软件工程师", "销售经理", "教师", "个体经营", "护士", "司机", "会计")


def resident_id(rng: random.Random, region: str, birth: date) -> str:
    body = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _region_and_birth(rng: random.Random) -> tuple[str, str, date, str]:
    """A region, a birth date and an ID number that python-stdnum accepts in
    full (its region table knows when each district code was in use)."""
    while True:
        region, place = rng.choice(REGIONS)
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 37))
        id_no = resident_id(rng, region, birth)
        if ric.is_valid(id_no):
            return region, place, birth, id_no


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"


def bank_card(rng: random.Random) -> tuple[str, str]:
    bin_ = rng.choice(CARD_BINS)
    body = bin_ + "".join(str(rng.randrange(10)) for _ in range(12))
    return body + luhn.calc_check_digit(body), BANKS[bin_]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass(frozen=True)
class Borrower:
    id: int
    record: dict[str, Any]


def borrower(seed: int, borrower_id: int) -> dict[str, Any]:
    rng = random.Random(seed * 1_000_003 + borrower_id)
    _, place, birth, id_no = _region_and_birth(rng)
    card, bank = bank_card(rng)
    name = person_name(rng)
    contact = person_name(rng)
    return {
        "borrowerId": borrower_id,
        "name": name,
        "idNo": id_no,
        "gender": rng.choice(("男", "女")),
        "birthDate": birth.isoformat(),
        "mobile": mobile(rng),
        "email": f"user{borrower_id}@example.cn",
        "bankCard": card,
        "bankName": bank,
        "address": f"{place}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
                   f"{rng.randrange(1, 30)}栋{rng.randrange(101, 2999)}室",
        "employer": rng.choice(EMPLOYERS),
        "kyc": {
            "idIssuer": f"{place}公安局",
            "idValidUntil": f"{rng.randrange(2027, 2046)}-{rng.randrange(1, 13):02d}-15",
            "occupation": rng.choice(OCCUPATIONS),
            "education": rng.choice(EDUCATION),
            "maritalStatus": rng.choice(MARITAL),
            "companyPhone": f"{rng.choice(AREA_CODES)}-{rng.randrange(20000000, 89999999)}",
            "companyAddress": f"{rng.choice(REGIONS)[1]}{rng.choice(STREETS)}"
                              f"{rng.randrange(1, 500)}号{rng.randrange(1, 40)}层",
            "faceVerified": rng.random() < 0.9,
            "deviceId": f"{rng.getrandbits(64):016x}",
            "registerIp": f"{rng.randrange(36, 223)}.{rng.randrange(256)}."
                          f"{rng.randrange(256)}.{rng.randrange(1, 255)}",
        },
        "monthlyIncome": rng.randrange(3000, 60000, 100),
        "creditScore": rng.randrange(450, 850),
        "emergencyContact": {"name": contact, "relation": rng.choice(RELATIONS),
                             "mobile": mobile(rng)},
        "loanCount": rng.randrange(0, 6),
        "overdueDays": rng.choice((0, 0, 0, 3, 15, 45)),
        "riskTags": rng.sample(["多头借贷", "新客", "白名单", "收入稳定", "设备异常"], 2),
    }


def loan(seed: int, loan_id: int, borrowers: int) -> dict[str, Any]:
    rng = random.Random(seed * 7_000_001 + loan_id)
    b = borrower(seed, 1 + loan_id % borrowers)
    principal = rng.randrange(1000, 200000, 500)
    term = rng.choice((3, 6, 12, 24))
    start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 300))
    schedule = [
        {"period": i + 1, "dueDate": (start + timedelta(days=30 * (i + 1))).isoformat(),
         "principal": round(principal / term, 2), "interest": round(principal * 0.0006 * 30, 2),
         "status": "paid" if i < term // 3 else "pending"}
        for i in range(min(term, 12))
    ]
    return {"loanId": loan_id, "contractNo": f"HT{start:%Y%m%d}{loan_id:010d}",
            "status": rng.choice(("repaying", "repaying", "overdue", "settled")),
            "principal": principal, "annualRate": 0.2160, "termMonths": term,
            "startDate": start.isoformat(), "borrower": b, "schedule": schedule}


def collection_task(seed: int, task_id: int, borrowers: int) -> dict[str, Any]:
    rng = random.Random(seed * 9_000_011 + task_id)
    b = borrower(seed, 1 + (task_id * 7) % borrowers)
    return {"taskId": task_id, "borrowerName": b["name"], "mobile": b["mobile"],
            "overdueAmount": rng.randrange(500, 50000), "overdueDays": rng.randrange(1, 120),
            "note": f"借款人{b['name']}已逾期，联系电话{b['mobile']}，"
                    f"紧急联系人{b['emergencyContact']['name']}"
                    f"（{b['emergencyContact']['mobile']}）。"}
