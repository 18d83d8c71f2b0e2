"""The one bounded cache: a dict that holds at most `size` entries.

Used where a value is worked out from a key that recurs (field paths, field
hints, a client's keys). When full it starts over rather than evicting one by
one: cheap, bounded, and the working set refills it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
_MISSING = object()


class BoundedCache(Generic[K, V]):
    __slots__ = ("_data", "get", "size")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be >= 1")
        self.size = size
        self._data: dict[K, V] = {}
        # `get(key)`: the dict's own method, a lookup in one C call rather than
        # a Python frame around it (hit on every request; `_data` is never
        # replaced, only cleared)
        self.get: Callable[[K], V | None] = self._data.get

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def put(self, key: K, value: V) -> V:
        """Store and return `value`; a full cache is emptied first."""
        if len(self._data) >= self.size and key not in self._data:
            self._data.clear()
        self._data[key] = value
        return value
