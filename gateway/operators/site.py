"""Where a value sits in its message: what context-bound operators need.

Encryption binds a ciphertext to its data class, its field and, optionally,
its record: the value of a record-key field (`record_key`) in the nearest
enclosing object that has one. `Records` indexes those values once per
message, before any operator changes a leaf.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gateway.codecs.base import FieldPath, Leaf


class Records:
    def __init__(self, leaves: Iterable[Leaf], keys: frozenset[str]) -> None:
        self._index: dict[tuple[str, FieldPath], str] = {}
        for leaf in leaves:
            last = leaf.path[-1] if leaf.path else None
            if isinstance(last, str) and last in keys:
                self._index[(last, leaf.path[:-1])] = leaf.text

    @classmethod
    def of(cls, index: dict[tuple[str, FieldPath], str]) -> Records:
        """Records from an index already made: (record key, object path) -> value."""
        records = cls((), frozenset())
        records._index = index
        return records

    def find(self, path: FieldPath, key: str) -> tuple[int, str] | None:
        """(length of the record's path, record-key value) for the nearest
        object around `path` holding `key`, or None."""
        for cut in range(len(path) - 1, -1, -1):
            value = self._index.get((key, path[:cut]))
            if value is not None:
                return cut, value
        return None


@dataclass(frozen=True, slots=True)
class Site:
    data_class: str
    path: FieldPath
    records: Records | None = None  # present when a rule of the plan names a record key


def field_name(path: FieldPath) -> str:
    """`applicant.idNumber` for ("applicant", "idNumber") and for
    ("items", 3, "applicant", "idNumber") relative to its record: list
    positions are not part of a field's identity."""
    return ".".join(p for p in path if isinstance(p, str))
