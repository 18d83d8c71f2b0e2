"""Identifiers split across adjacent fields: `idNo1` + `idNo2`, `mobilePrefix`
+ `mobileSuffix`, `cardHead` + `cardTail`, `areaCode` + `phone`.

Each part alone is no identifier (six digits, four digits), so the detector
finds nothing in either. Two fields of one object whose names are one stem
with a first and a second part marker (or an area code beside a phone field)
are read together; when a finding crosses the boundary between them, the
operator the rules choose for it runs on the joined value and both parts get
their share of the result (a mask keeps each part's length; an operator that
changes the length leaves the whole result in the first part and empties the
second). Only stems that mean an ID, a phone or a card number count
(`address1` + `address2` are address lines, read one by one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gateway.codecs.base import Document, FieldPath, Leaf, hints_for
from gateway.detect import Detector, Finding
from gateway.detect.classes import packaged
from gateway.detect.fieldnames import field_words

# (joined text, the findings that cross the boundary, the first part's path)
# -> the protected joined text
Apply = Callable[[str, list[Finding], FieldPath], str]

FIRST = frozenset({"1", "prefix", "head", "first", "front", "start", "begin", "pre", "part1"})
SECOND = frozenset({"2", "suffix", "tail", "second", "back", "end", "rest", "last", "part2",
                    "remain", "post"})
STEM_CLASSES = frozenset({"id_number", "phone", "bank_account"})
AREA_CODE = (frozenset({"area", "code"}), frozenset({"qh"}), frozenset({"区号"}))


def part_of(name: str) -> tuple[tuple[str, ...], int] | None:
    """(stem words, 1 or 2) when `name` is the first or second part of an ID,
    phone or card number field (`idNo1`, `mobile_suffix`); else None."""
    words = field_words(name)
    if len(words) < 2:
        return None
    marker, stem = words[-1], words[:-1]
    if stem[-1] == "part" and marker in ("1", "2"):  # idNoPart1
        stem = stem[:-1]
    which = 1 if marker in FIRST else 2 if marker in SECOND else 0
    if not which or not stem:
        return None
    for words in (stem, (*stem, "no")):  # `cardHead`: a card number's head
        found = packaged().classify(("".join(w.title() for w in words),))
        if found is not None and found.name in STEM_CLASSES:
            return stem, which
    return None


def is_area_code(name: str) -> bool:
    words = frozenset(field_words(name))
    return any(w <= words for w in AREA_CODE) or "区号" in name


def is_part_key(name: str) -> bool:
    """Names the native core hands to this module's Python path."""
    return part_of(name) is not None or is_area_code(name)


def _pairs(leaves: Sequence[Leaf], candidates: Sequence[int]) -> list[tuple[int, int, str]]:
    """(first leaf, second leaf, separator) of one object's split fields."""
    by_object: dict[FieldPath, dict[str, int]] = {}
    for index in candidates:
        path = leaves[index].path
        if path and isinstance(path[-1], str):
            by_object.setdefault(path[:-1], {})[path[-1]] = index
    pairs = []
    for names in by_object.values():
        firsts: dict[tuple[str, ...], int] = {}
        seconds: dict[tuple[str, ...], int] = {}
        area = phone = None
        for name, index in names.items():
            part = part_of(name)
            if part is not None:
                (firsts if part[1] == 1 else seconds)[part[0]] = index
            elif is_area_code(name):
                area = index
            else:
                found = packaged().classify((name,))
                if found is not None and found.name == "phone":
                    phone = index
        pairs += [(firsts[stem], seconds[stem], "") for stem in firsts if stem in seconds]
        if area is not None and phone is not None:
            pairs.append((area, phone, "-"))
    return pairs


def protect_split(document: Document, leaves: Sequence[Leaf], candidates: Sequence[int],
                  detector: Detector, apply: Apply) -> tuple[set[int], bool]:
    """Protect the split identifiers among `candidates` (leaf indices no field
    rule took): (the indices of the leaves it handled, whether it changed any)."""
    pairs = _pairs(leaves, candidates)
    if not pairs:
        return set(), False
    joined = [(leaves[a].text.strip() + sep + leaves[b].text.strip(), a, b, sep)
              for a, b, sep in pairs]
    found = detector.detect_many([(text, hints_for(leaves[a].path)) for text, a, _, _ in joined])
    handled: set[int] = set()
    changed = False
    for (text, a, b, sep), findings in zip(joined, found, strict=True):
        first = len(leaves[a].text.strip())
        crossing = [f for f in findings if f.start < first + len(sep) and f.end > first]
        if not crossing:
            continue
        new = apply(text, crossing, leaves[a].path)
        parts = (new[:first], new[first + len(sep):]) if len(new) == len(text) else (new, "")
        for index, part in zip((a, b), parts, strict=True):
            if part != leaves[index].text:
                document.set(index, part)
                changed = True
        handled |= {a, b}
    return handled, changed
