"""Fold text into the form recognizers match, keeping a map back to the original.

What is folded:
- NFKC per character: full-width digits and letters, ideographic space,
  full-width punctuation and circled digits become their plain forms; decimal
  digits of every script (Unicode category Nd: Arabic-Indic, Devanagari, ...)
  become ASCII digits;
- format characters (Unicode category Cf: zero-width space/joiners, BOM, soft
  hyphen, bidi controls) are dropped;
- HTML character references (`&#49;`, `&#x31;`, `&amp;`) and percent-encoded
  UTF-8 (`%31`, also encoded twice: `%2531`) are decoded, each decoded
  character mapping to the whole reference it came from;
- runs of seven or more Chinese numerals (一三八零零一三八零零零, with 幺, 〇 and
  the financial forms 壹贰叁肆伍陆柒捌玖) become ASCII digits, so a phone number
  spelled out is still a number;
- digits grouped with dots (`139.1234.5678`: three to six groups of three to
  eight digits, at least one of four or more, eleven or more digits in all;
  never an IPv4 address or a version number such as 16.27.72.19871) are read
  with spaces between the groups;
- a whole value in base64 (standard or URL-safe, padded or not, eight
  characters or more, at least one letter) that decodes to UTF-8 text (no
  control characters but tab and line breaks, no unassigned or private-use
  code points) is read decoded (and folded as above); every decoded
  character maps to the whole value, since no finding inside can be mapped to
  fewer of the characters sent (a finding protects the whole value);
- a base64 token inside longer text (twelve characters or more of one
  alphabet and its padding, between characters that are no base64 but for a
  `=` before it, passing the same test) is read decoded in place, between
  spaces; its decoded characters map to the whole token
  (`备注 MTM4MDAxMzgwMDA= 请核实`: a finding covers the token).

Every normalized character records the half-open range of original characters
it came from, so a finding maps back to exactly the characters the user sent:
masking replaces those and nothing else. Text that is already plain (the
common case) is returned as is, with no map at all.
"""

from __future__ import annotations

import base64
import binascii
import html
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

import regex

_CN_NUMERALS = "〇零幺一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
_CN_DIGIT = dict(zip(_CN_NUMERALS, "0011223456789122334566789", strict=True))
_CN_RUN = regex.compile(f"[{_CN_NUMERALS}]{{7,}}")
_FORMAT = regex.compile(r"\p{Cf}")
_OTHER_DIGIT = regex.compile(r"(?![0-9])\p{Nd}")
# What may need decoding (the native core defers a text on the same test).
_ESCAPE_TRIGGER = regex.compile(r"&#|&[A-Za-z]{2,8};|%[0-9A-Fa-f]{2}")
_REFERENCE = regex.compile(r"&#(?:[0-9]{1,7}|[xX][0-9A-Fa-f]{1,6});?|&[A-Za-z]{2,8};"
                           r"|(?:%[0-9A-Fa-f]{2})+")
_DOTTED = regex.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}")
_ROUNDS = 3  # %253131 and the like: at most this many layers of encoding
# A whole value that may be base64: one alphabet (standard or URL-safe), then padding.
_BASE64 = regex.compile(r"(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}")
# Decoded text holds none of these (control, surrogate, unassigned, private use).
_NOT_TEXT = regex.compile(r"[^\t\n\r\P{Cc}]|\p{Cs}|\p{Cn}|\p{Co}")
_BASE64_MIN = 8  # six bytes: a two-character Chinese name
# A base64 token inside longer text: twelve characters or more (nine bytes).
# (`=` may come before it: `mobile=MTM4...`, not after its padding.)
_B64_TOKEN = regex.compile(r"(?<![A-Za-z0-9+/_-])(?:[A-Za-z0-9+/]{12,}|[A-Za-z0-9_-]{12,})={0,2}"
                           r"(?![A-Za-z0-9+/=_-])")
_LETTER = regex.compile(r"[A-Za-z]")

Mapped = tuple[str, list[int], list[int]]


def _dotted_groups(match: str) -> bool:
    sizes = [len(g) for g in match.split(".")]
    return (3 <= len(sizes) <= 6 and sum(sizes) >= 11 and max(sizes) >= 4
            and all(3 <= s <= 8 for s in sizes))


def _unchanged(text: str) -> bool:
    """True if `normalize` would return `text` as is. A character that NFKC
    changes on its own also keeps the whole text from being NFKC-normalized,
    so the C-level whole-text checks are exact."""
    large = len(text) > 64 * 1024  # let the regex engine release the GIL
    if _ESCAPE_TRIGGER.search(text, concurrent=large) is not None:
        return False
    if any(base64_text(m[0]) is not None for m in _B64_TOKEN.finditer(text, concurrent=large)):
        return False
    if any(_dotted_groups(m[0]) for m in _DOTTED.finditer(text, concurrent=large)):
        return False
    return text.isascii() or (unicodedata.is_normalized("NFKC", text)
                              and _FORMAT.search(text, concurrent=large) is None
                              and _CN_RUN.search(text, concurrent=large) is None
                              and _OTHER_DIGIT.search(text, concurrent=large) is None)


def base64_text(text: str) -> str | None:
    """The text a whole base64 value stands for, or None: eight characters or
    more of one alphabet (standard or URL-safe) with at least one letter,
    padding (if any) completing the last group, decoding to UTF-8 without
    control characters (tab and line breaks aside), unassigned or private-use
    code points. (The native core defers the values that pass a looser form
    of this test.)"""
    if len(text) < _BASE64_MIN or _BASE64.fullmatch(text) is None \
            or _LETTER.search(text) is None:
        return None
    core = text.rstrip("=")
    if len(core) % 4 == 1 or (len(core) != len(text) and len(text) % 4):
        return None
    altchars = b"-_" if ("-" in core or "_" in core) else None
    try:
        data = base64.b64decode(core + "=" * (-len(core) % 4), altchars=altchars, validate=True)
        decoded = data.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if _NOT_TEXT.search(decoded) is not None:
        return None
    return decoded


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
    if unicodedata.category(char) == "Nd" and not "0" <= char <= "9":
        return str(unicodedata.decimal(char))
    return unicodedata.normalize("NFKC", char)


def needs_folding(texts: Sequence[str]) -> set[int]:
    """Indices of the texts that `normalize` would change, in one pass (and
    one look at each text for a whole base64 value)."""
    encoded = {index for index, text in enumerate(texts) if base64_text(text) is not None}
    if _unchanged("\n".join(texts)):
        return encoded
    return encoded | {index for index, text in enumerate(texts) if not _unchanged(text)}


def _fold(text: str, starts: list[int], ends: list[int]) -> Mapped:
    """Per-character folding of `text`, whose characters map to starts/ends."""
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        new_starts.extend([starts[index]] * len(folded))
        new_ends.extend([ends[index]] * len(folded))
    return "".join(pieces), new_starts, new_ends


def _decoded(reference: str) -> str | None:
    """The text a reference or a run of percent escapes stands for, or None."""
    if reference[0] == "%":
        try:
            return unquote_to_bytes(reference).decode("utf-8")
        except UnicodeDecodeError:
            return None
    value = html.unescape(reference)
    if value == reference or "\ufffd" in value or not (value.isprintable() or value.isspace()):
        return None
    return value


# A replacement: the span it replaces, its text, and the original range of
# each of its characters.
Replacement = tuple[int, int, str, list[int], list[int]]


def _splice(text: str, starts: list[int], ends: list[int],
            replacements: Iterable[Replacement]) -> Mapped:
    """`text` with spans replaced (in order, not overlapping), the map kept."""
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for begin, finish, value, value_starts, value_ends in replacements:
        pieces.append(text[last:begin])
        new_starts.extend(starts[last:begin])
        new_ends.extend(ends[last:begin])
        pieces.append(value)
        new_starts.extend(value_starts)
        new_ends.extend(value_ends)
        last = finish
    pieces.append(text[last:])
    new_starts.extend(starts[last:])
    new_ends.extend(ends[last:])
    return "".join(pieces), new_starts, new_ends


def _references(text: str, starts: list[int], ends: list[int]) -> Iterator[Replacement]:
    """Each reference and run of percent escapes, decoded; a decoded character
    maps to its reference (a percent-decoded one to its own escapes)."""
    for match in _REFERENCE.finditer(text):
        value = _decoded(match[0])
        if value is None:
            continue
        if match[0][0] == "%":  # each character maps to its own escapes (3 per byte)
            value_starts, value_ends, at = [], [], match.start()
            for char in value:
                width = 3 * len(char.encode("utf-8"))
                value_starts.append(starts[at])
                value_ends.append(ends[at + width - 1])
                at += width
        else:
            value_starts = [starts[match.start()]] * len(value)
            value_ends = [ends[match.end() - 1]] * len(value)
        yield match.start(), match.end(), value, value_starts, value_ends


def _tokens(text: str, starts: list[int], ends: list[int]) -> Iterator[Replacement]:
    """Each base64 token inside `text` read decoded (and normalized), between
    spaces, every character of it mapping to the whole token."""
    for match in _B64_TOKEN.finditer(text):
        decoded = base64_text(match[0])
        if decoded is None:
            continue
        inner = f" {normalize(decoded).text} "
        yield (match.start(), match.end(), inner, [starts[match.start()]] * len(inner),
               [ends[match.end() - 1]] * len(inner))


def normalize(text: str) -> Normalized:
    decoded = base64_text(text)
    if decoded is not None:
        inner = normalize(decoded).text
        return Normalized(inner, (0,) * len(inner), (len(text),) * len(inner))
    if _unchanged(text):
        return Normalized(text)
    spliced: Mapped = (text, list(range(len(text))), list(range(1, len(text) + 1)))
    if _B64_TOKEN.search(text) is not None:
        spliced = _splice(*spliced, _tokens(*spliced))
    folded, starts, ends = _fold(*spliced)
    for _ in range(_ROUNDS):
        if _ESCAPE_TRIGGER.search(folded) is None:
            break
        decoded, starts, ends = _splice(folded, starts, ends, _references(folded, starts, ends))
        if decoded == folded:
            break
        folded, starts, ends = _fold(decoded, starts, ends)
    folded = _CN_RUN.sub(lambda m: "".join(_CN_DIGIT[c] for c in m[0]), folded)
    folded = _DOTTED.sub(lambda m: m[0].replace(".", " ") if _dotted_groups(m[0]) else m[0],
                         folded)
    return Normalized(folded, tuple(starts), tuple(ends))
