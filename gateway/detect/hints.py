"""Field-name hints: the key a value sits under is context for detection.

A leaf's field name is passed to recognizers as a context word, lowercased, so
`idNo`, `mobile` or `bankCardNo` raise the score of a matching number exactly as
the word 身份证 before it would in free text. Names and addresses have no shape of
their own, so for them a field name only counts when it is in the hint table
below (or added in the policy): then the context also carries a marker word
that only the name or address recognizer listens to. Plain substring matching
would take `productName` or `bankName` for a person's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import regex

from gateway.cache import BoundedCache

PERSON_HINT = "pgwhintpersonname"
ADDRESS_HINT = "pgwhintaddress"

DEFAULT_HINTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    PERSON_HINT: (
        "name", "realname", "fullname", "custname", "customername", "clientname",
        "borrowername", "applicantname", "holdername", "cardholder", "cardholdername",
        "accountname", "acctname", "payeename", "payername", "contactname", "contactperson",
        "emergencycontactname", "spousename", "guarantorname", "legalperson",
        "姓名", "名字", "真实姓名", "客户姓名", "借款人", "借款人姓名", "联系人", "联系人姓名",
        "紧急联系人", "持卡人", "户名", "开户名", "配偶姓名", "担保人", "收款人", "付款人",
    ),
    ADDRESS_HINT: (
        "address", "addr", "homeaddr", "homeaddress", "companyaddress", "companyaddr",
        "workaddress", "workaddr", "residenceaddress", "residentaddress", "registeredaddress",
        "mailingaddress", "detailaddress", "liveaddress", "livingaddress", "contactaddress",
        "permanentaddress", "householdaddress", "idaddress", "deliveryaddress",
        "地址", "住址", "家庭住址", "居住地址", "现住址", "单位地址", "公司地址", "户籍地址",
        "通讯地址", "联系地址", "详细地址", "身份证地址", "收货地址",
    ),
})

_NOT_KEY_CHARS = regex.compile(r"[\W_]+")


def field_key(name: str) -> str:
    """`home_Addr`, `homeAddr` and `home-addr` all become `homeaddr`."""
    return str(_NOT_KEY_CHARS.sub("", name)).lower()


class HintTable:
    """Maps a field name to the context words a value under it carries."""

    def __init__(self, extra: Mapping[str, Iterable[str]] | None = None) -> None:
        table: dict[str, set[str]] = {}
        for marker, names in DEFAULT_HINTS.items():
            for name in names:
                table.setdefault(field_key(name), set()).add(marker)
        for marker, extra_names in (extra or {}).items():
            for name in extra_names:
                table.setdefault(field_key(name), set()).add(marker)
        self._table = {key: tuple(sorted(markers)) for key, markers in table.items()}
        self._cache: BoundedCache[tuple[str, ...], tuple[str, ...]] = BoundedCache(65536)

    def context(self, hints: tuple[str, ...]) -> tuple[str, ...]:
        """Context words for a value under `hints` (field names, outermost first)."""
        cached = self._cache.get(hints)
        if cached is not None:
            return cached
        words: list[str] = []
        for hint in hints:
            key = field_key(hint)
            if not key:
                continue
            words.append(key)
            words.extend(self._table.get(key, ()))
        return self._cache.put(hints, tuple(dict.fromkeys(words)))


# Containers whose keys are people: `{"contacts": {"张三": "138..."}}`, a
# map of relatives by name. Keys under them are read as names ("name" hint).
PEOPLE_CONTAINERS = frozenset(field_key(n) for n in (
    "contacts", "contact", "contactList", "emergencyContacts", "relatives", "family",
    "familyMembers", "members", "persons", "people", "borrowers", "customers", "guarantors",
    "applicants", "debtors", "spouses", "payees", "联系人", "紧急联系人", "联系人列表", "亲属",
    "家庭成员", "借款人", "客户", "担保人", "成员", "收款人",
))


def key_hints(path: tuple[str | int, ...]) -> tuple[str, ...]:
    """The hints of an object key (a key leaf's path ends in the KEY marker):
    its container's name, and `name` when the container holds people."""
    names = [part for part in path[:-1] if isinstance(part, str)]
    if not names:
        return ()
    container = names[-1]
    return (container, "name") if field_key(container) in PEOPLE_CONTAINERS else (container,)
