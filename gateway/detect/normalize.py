"""Fold text into the form recognizers match, keeping a map back to the original.

What is folded:
- NFKC per character: full-width digits and letters, ideographic space,
  full-width punctuation and circled digits become their plain forms;
- format characters (Unicode category Cf: zero-width space/joiners, BOM, soft
  hyphen, bidi controls) are dropped;
- runs of seven or more Chinese numerals (一三八零零一三八零零零, with 幺 and 〇)
  become ASCII digits, so a phone number spelled out is still a number.

Every normalized character records the half-open range of original characters
it came from, so a finding maps back to exactly the characters the user sent:
masking replaces those and nothing else. Text that is already plain (the
common case) is returned as is, with no map at all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

_CN_NUMERALS = "〇零幺一二两三四五六七八九"
_CN_DIGIT = {"〇": "0", "零": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "三": "3",
             "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_RUN = regex.compile(f"[{_CN_NUMERALS}]{{7,}}")


_FORMAT = regex.compile(r"\p{Cf}")


def _unchanged(text: str) -> bool:
    """True if `normalize` would return `text` as is. A character that NFKC
    changes on its own also keeps the whole text from being NFKC-normalized,
    so the C-level whole-text checks are exact."""
    large = len(text) > 64 * 1024  # let the regex engine release the GIL
    return text.isascii() or (unicodedata.is_normalized("NFKC", text)
                              and _FORMAT.search(text, concurrent=large) is None
                              and _CN_RUN.search(text, concurrent=large) is None)


@dataclass(frozen=True, slots=True)
class Normalized:
    """`text` is what recognizers see; `starts[i]`/`ends[i]` bound the original
    characters behind `text[i]`. Both are None when text is unchanged."""

    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", char)


def needs_folding(texts: Sequence[str]) -> set[int]:
    """Indices of the texts that `normalize` would change, in one pass."""
    if _unchanged("\n".join(texts)):
        return set()
    return {index for index, text in enumerate(texts) if not _unchanged(text)}


def normalize(text: str) -> Normalized:
    if _unchanged(text):
        return Normalized(text)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        starts.extend([index] * len(folded))
        ends.extend([index + 1] * len(folded))
    folded_text = "".join(pieces)
    folded_text = _CN_RUN.sub(lambda m: "".join(_CN_DIGIT[c] for c in m[0]), folded_text)
    return Normalized(folded_text, tuple(starts), tuple(ends))
