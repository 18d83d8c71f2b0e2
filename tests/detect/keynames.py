"""Field names as lending systems write them, for the evaluation set.

Written from naming habits seen in Chinese lending and banking APIs, not from
the catalog: a role (borrower, debtor, guarantor, the emergency contact...)
and a head noun (name, address) in camelCase, snake_case, kebab-case, upper
case, run together in lower case, with language or index suffixes; Chinese
keys; pinyin abbreviations (jkrxm = 借款人姓名); and nesting (contacts[*].name).
"""

from __future__ import annotations

import random

PERSON_ROLES = ("", "borrower", "debtor", "customer", "cust", "applicant", "contact",
                "emergencyContact", "spouse", "guarantor", "legalRep", "payee", "payer",
                "accountHolder", "cardholder", "relative", "mate", "co_borrower", "insured",
                "beneficiary", "client", "linkman", "legalPerson", "father", "mother")
NAME_WORDS = ("name", "fullName", "realName", "Name")
ADDRESS_ROLES = ("", "home", "live", "living", "residence", "resident", "register",
                 "household", "company", "work", "mailing", "contact", "id", "permanent",
                 "current", "detail", "delivery", "office", "unit")
ADDRESS_WORDS = ("address", "addr", "Address", "Addr", "address_detail", "addressDetail")
SUFFIXES = ("", "", "", "Cn", "_cn", "1", "2", "_zh", "Str", "Text")
CN_PERSON_KEYS = ("姓名", "客户姓名", "借款人姓名", "联系人", "联系人姓名", "紧急联系人",
                  "紧急联系人姓名", "配偶姓名", "担保人姓名", "收款人户名", "持卡人姓名",
                  "申请人姓名", "债务人", "户名", "开户人", "法定代表人", "客户名称")
CN_ADDRESS_KEYS = ("住址", "家庭住址", "户籍地址", "现居住地址", "单位地址", "通讯地址",
                   "详细地址", "身份证地址", "居住地", "户籍所在地", "公司地址")
PINYIN_PERSON = ("xm", "khxm", "jkrxm", "lxr", "lxrxm", "jjlxr", "jjlxrxm", "poxm", "dbrxm",
                 "sqrxm", "xingming", "khmc", "hm")
PINYIN_ADDRESS = ("dz", "jtzz", "hjdz", "jzdz", "dwdz", "txdz", "xzz", "gsdz")
PEOPLE_LISTS = ("contacts", "emergencyContacts", "relatives", "guarantors", "familyMembers",
                "linkmen", "联系人列表")


def style(words: list[str], rng: random.Random) -> str:
    """One naming style over the words."""
    parts = [w for w in words if w]
    flat = [p[0].lower() + p[1:] for p in parts]
    roll = rng.randrange(6)
    if roll == 0:  # camelCase
        return flat[0] + "".join(p[0].upper() + p[1:] for p in flat[1:])
    if roll == 1:  # snake_case
        return "_".join(_snake(p) for p in flat)
    if roll == 2:  # kebab
        return "-".join(_snake(p) for p in flat)
    if roll == 3:  # UPPER_SNAKE
        return "_".join(_snake(p) for p in flat).upper()
    if roll == 4:  # run together, lower case
        return "".join(_snake(p).replace("_", "") for p in flat)
    return "".join(p[0].upper() + p[1:] for p in flat)  # PascalCase


def _snake(word: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in word).lstrip("_")


def person_key(rng: random.Random) -> tuple[str, ...]:
    roll = rng.random()
    if roll < 0.15:
        return (rng.choice(CN_PERSON_KEYS),)
    if roll < 0.3:
        return (rng.choice(PINYIN_PERSON),)
    if roll < 0.45:
        return (rng.choice(PEOPLE_LISTS), rng.choice(("name", "xm", "fullName", "姓名")))
    role = rng.choice(PERSON_ROLES)
    key = style([role, rng.choice(NAME_WORDS)], rng) + rng.choice(SUFFIXES)
    return (key,)


def address_key(rng: random.Random) -> tuple[str, ...]:
    roll = rng.random()
    if roll < 0.15:
        return (rng.choice(CN_ADDRESS_KEYS),)
    if roll < 0.3:
        return (rng.choice(PINYIN_ADDRESS),)
    if roll < 0.4:
        return (rng.choice(("home", "company", "residence", "work")),
                rng.choice(("address", "addr", "detail")))
    return (style([rng.choice(ADDRESS_ROLES), rng.choice(ADDRESS_WORDS)], rng)
            + rng.choice(SUFFIXES),)


# Fields whose values look like names or addresses but are neither (hard negatives)
NOT_PEOPLE = (
    ("bankName", ("中国银行", "招商银行", "平安银行")),
    ("bank_name", ("中国工商银行", "交通银行")),
    ("productName", ("随借随还", "安心借", "周转灵", "白领贷")),
    ("channelName", ("安卓", "华为应用市场", "小米商店")),
    ("merchantName", ("李记餐饮", "王氏贸易", "张家小馆")),
    ("branchName", ("朝阳支行", "武昌支行")),
    ("cityName", ("武汉", "成都", "常州", "江门")),
    ("departmentName", ("风控部", "贷后管理部", "催收一组")),
    ("partnerName", ("某某金融", "华信科技")),
    ("userName", ("zhangsan01", "wang_li88")),
    ("nickName", ("小王", "雨天")),
    ("templateName", ("逾期提醒", "还款通知")),
    ("storeName", ("苏宁易购", "国美电器")),
    ("loanPurpose", ("装修", "旅游", "教育")),
    ("relation", ("配偶", "父亲", "同事")),
    ("status", ("还款中", "已结清")),
    ("brandName", ("华为", "小米", "金立")),
    ("schoolName", ("武汉大学", "复旦大学")),
)
