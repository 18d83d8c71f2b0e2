"""Field names as words: `IDCardNo`, `id_card_no`, `id-card.no` and `idCardNo`
all read `id card no`.

Splits at case changes (an acronym stays one word: `IDCard` is `id card`),
at digits, and at anything that is not a letter; CJK runs stay whole (a
Chinese key such as 户籍地址 is matched by substring, not by word). Used by the
data-class catalog (`gateway/detect/classes.py`).
"""

from __future__ import annotations

from functools import lru_cache

import regex

# an upper-case run not followed by lower case (an acronym), a capitalized or
# lower-case word, a digit run, or a CJK run
_WORD = regex.compile(
    r"\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\d+|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]+")
_JOINED = regex.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def field_words(name: str) -> tuple[str, ...]:
    """The words of one field name, lower case, in order."""
    return tuple(w.lower() for w in _WORD.findall(name))


def joined(name: str) -> str:
    """The name with separators removed, lower case (`home_Addr` -> `homeaddr`)."""
    return str(_JOINED.sub("", name)).lower()
