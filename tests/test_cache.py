"""The bounded cache: never more than its size, starts over when full."""

from __future__ import annotations

import pytest

from gateway.cache import BoundedCache


def test_holds_at_most_its_size_and_keeps_none_values() -> None:
    cache: BoundedCache[int, str | None] = BoundedCache(3)
    for n in range(3):
        assert cache.put(n, None if n == 1 else str(n)) == (None if n == 1 else str(n))
    assert len(cache) == 3 and 1 in cache and cache[1] is None
    cache.put(2, "again")  # an existing key does not empty it
    assert len(cache) == 3 and cache.get(2) == "again"
    cache.put(9, "new")  # a new key in a full cache starts over
    assert len(cache) == 1 and cache.get(9) == "new" and cache.get(0) is None
    with pytest.raises(KeyError):
        cache[0]


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="size"):
        BoundedCache(0)
