"""China's prefecture- and county-level divisions by name, for addresses that
start below the province (宜昌市西陵区..., 义乌市稠城街道...).

The names come from the administrative-division table python-stdnum ships for
resident ID numbers (`stdnum/cn/loc.dat`, from the national code list; former
names kept, since old addresses outlive renamings): every name of three or
more Chinese characters ending in 市, 县, 区, 旗, 州 or 盟, except a few that
are also common words (新城区, 开发区). Read once, offline.

`trie_pattern` writes a word list as one regular expression shaped like a
trie, trying longer words first: a plain alternation of four thousand words
costs milliseconds per text in the `regex` module, the trie microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

import regex

_SUFFIXES = frozenset("市县区旗州盟")
_COMMON_WORDS = frozenset({"市辖区", "新城区", "老城区", "城中区", "市中区", "平房区", "新建区",
                           "开发区", "高新区", "新市区", "城关区", "郊区县"})
_NAME = regex.compile(r'(?:\[[^\]]*\])?([^,"\[]+)')
Trie = dict[str, "Trie"]


@cache
def divisions() -> tuple[str, ...]:
    """Division names below the province, longest first (then in table order)."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text("utf-8")
    names: dict[str, None] = {}
    for line in text.splitlines():
        if not line.startswith(" ") or '"' not in line:
            continue
        quoted = line.split('"')[1]
        for part in quoted.split(","):
            match = _NAME.fullmatch(part.strip())
            if match is None:
                continue
            name = match[1]
            if (len(name) >= 3 and name[-1] in _SUFFIXES and name not in _COMMON_WORDS
                    and all("\u4e00" <= c <= "\u9fff" for c in name)):
                names[name] = None
    return tuple(sorted(names, key=len, reverse=True))


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing pattern matching any of `words`, longer words first."""
    trie: Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return "(?:" + _branch(trie) + ")"


def _branch(node: Trie) -> str:
    alternatives = [regex.escape(char) + _branch(child)
                    for char, child in sorted(node.items()) if char]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if "" in node else body
