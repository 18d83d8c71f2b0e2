"""Field-name hints: the key a value sits under is context for detection.

A leaf's field name is passed to recognizers as a context word, lowercased, so
`idNo`, `mobile` or `bankCardNo` raise the score of a matching number exactly as
the word 身份证 before it would in free text. Names and addresses have no shape of
their own, so for them a field name only counts when it means a person's name
or an address: when the data-class catalog (`classes.py`, which reads names as
words, Chinese keys and pinyin abbreviations, with veto words) classes it so,
or the policy names it (`detection.hints`). Then the context
also carries a marker word that only the name or address recognizer listens
to. Plain substring matching would take `productName` or `bankName` for a
person's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import regex

from gateway.cache import BoundedCache
from gateway.detect.classes import packaged

PERSON_HINT = "pgwhintpersonname"
ADDRESS_HINT = "pgwhintaddress"
# data class -> the marker its fields' values carry
CLASS_MARKERS: Mapping[str, str] = MappingProxyType({
    "person_name": PERSON_HINT, "address": ADDRESS_HINT})

_NOT_KEY_CHARS = regex.compile(r"[\W_]+")


def field_key(name: str) -> str:
    """`home_Addr`, `homeAddr` and `home-addr` all become `homeaddr`."""
    return str(_NOT_KEY_CHARS.sub("", name)).lower()


class HintTable:
    """Maps field names to the context words a value under them carries: the
    names themselves, and the name or address marker when the catalog or the
    policy's extra names say so."""

    def __init__(self, extra: Mapping[str, Iterable[str]] | None = None) -> None:
        table: dict[str, set[str]] = {}
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
        found = packaged().classify(hints) if hints else None
        if found is not None and found.name in CLASS_MARKERS:
            words.append(CLASS_MARKERS[found.name])
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
