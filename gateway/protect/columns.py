"""Columns decided by their values: a list of records whose field name says
nothing (`f2`, `col3`, `value`, `n`) but whose values are, record after record,
Chinese personal names is a column of names.

A column is every string leaf at one pattern path inside a list
(`items[*].f2`; the lines of NDJSON are records too). It is a column of names
when it has at least five values, four in five look like a name on their own
(two to four Chinese characters starting with a surname, not a placeholder
word, not a place: `北京`, `南山区`), at least two in five of those have three
characters (most given names have two characters; place, product and company
words mostly have two in all), at least half the values differ (statuses
repeat), and its field names mean nothing yet (no data class, no word the catalog
knows other than generic ones such as `name` or `value`, no policy hint).
Its values are then detected as if under a `姓名` field.

The native core counts the same shapes per path while it walks a body (a
looser test that this one implies: five values or more, four in five
name-shaped, eight in 25 of three characters; no places, placeholders or
repeats) and hands bodies with such a column to the Python path
(`NativeJson.names_column`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.codecs.base import FieldPath, Leaf, hints_for, pattern_path
from gateway.detect import Detector
from gateway.detect.classes import packaged
from gateway.detect.hints import ADDRESS_HINT, PERSON_HINT
from gateway.detect.recognizers.address import PLACES
from gateway.detect.recognizers.person_name import COMMON_STARTS, NOT_NAMES
from gateway.detect.recognizers.surnames import starts_with_surname

COLUMN_HINT = "姓名"  # the field name a column of names is read under
MIN_VALUES = 5
_PLACE_ENDS = frozenset("省市区县州镇乡村路街道")


def name_shaped(text: str) -> bool:
    """Two to four Chinese characters from a surname on (no spaces around)."""
    return (2 <= len(text) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in text)
            and starts_with_surname(text))


def _name_like(text: str) -> bool:
    return (name_shaped(text) and text not in NOT_NAMES and text[:2] not in COMMON_STARTS
            and text[-1] not in _PLACE_ENDS and not text.startswith(PLACES))


def unnamed(path: FieldPath, detector: Detector) -> bool:
    """The path's field names give its values no meaning: no data class, no
    word the catalog knows (`bankName` says what it holds, `name` or `f2`
    does not) and no name or address hint from the policy."""
    hints = hints_for(path)
    if hints and packaged().says_something(hints):
        return False
    context = detector.context(hints)
    return PERSON_HINT not in context and ADDRESS_HINT not in context


@dataclass(slots=True)
class _Column:
    path: FieldPath
    values: list[str] = field(default_factory=list)


def name_columns(leaves: Sequence[Leaf], detector: Detector) -> frozenset[str]:
    """The pattern paths of the columns of names among `leaves`."""
    columns: dict[str, _Column] = {}
    for leaf in leaves:
        if leaf.number or not any(isinstance(part, int) for part in leaf.path):
            continue
        pattern = pattern_path(leaf.path)
        column = columns.get(pattern)
        if column is None:
            column = columns[pattern] = _Column(leaf.path)
        column.values.append(leaf.text)
    found = set()
    for pattern, column in columns.items():
        values = column.values
        if len(values) < MIN_VALUES:
            continue
        names = [v for v in values if _name_like(v)]
        if (5 * len(names) >= 4 * len(values) and 5 * sum(len(n) == 3 for n in names)
                >= 2 * len(names) and 2 * len(set(values)) >= len(values)
                and unnamed(column.path, detector)):
            found.add(pattern)
    return frozenset(found)
