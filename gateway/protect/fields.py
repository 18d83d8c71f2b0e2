"""Field selectors: `applicant.idNo`, `items[*].card`, `**.mobile`, `kyc.*`.

A selector is a dotted path; `[n]` and `[*]` address list items, `*` any one
key, `**` any number of levels (zero included). It matches a leaf's whole path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gateway.codecs.base import FieldPath

ANY_KEY = "*"
ANY_INDEX = -1
ANY_DEPTH = "**"
Token = str | int
_TOKEN = re.compile(r"\[(\*|\d+)\]|([^.\[\]]+)")


def parse_selector(text: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    position = 0
    text = text.strip()
    if not text:
        raise ValueError("a field selector must not be empty")
    while position < len(text):
        if text[position] == "." and tokens:
            position += 1
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read the field selector at character {position + 1}")
        index, name = match.groups()
        if index is not None:
            tokens.append(ANY_INDEX if index == "*" else int(index))
        else:
            tokens.append(name)
        position = match.end()
    return tuple(tokens)


@dataclass(frozen=True, slots=True)
class FieldSelector:
    text: str
    tokens: tuple[Token, ...]

    @classmethod
    def parse(cls, text: str) -> FieldSelector:
        return cls(text, parse_selector(text))

    def matches(self, path: FieldPath) -> bool:
        return _match(self.tokens, path)


@lru_cache(maxsize=65536)
def _match(tokens: tuple[Token, ...], path: FieldPath) -> bool:
    if not tokens:
        return not path
    head, rest = tokens[0], tokens[1:]
    if head == ANY_DEPTH:
        return any(_match(rest, path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    part = path[0]
    if head == ANY_KEY:
        ok = isinstance(part, str)
    elif head == ANY_INDEX:
        ok = isinstance(part, int)
    else:
        ok = part == head
    return ok and _match(rest, path[1:])
