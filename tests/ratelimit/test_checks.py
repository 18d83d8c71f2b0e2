"""A detector check's test (gateway/ratelimit/checks.py)."""

from __future__ import annotations

from gateway.ratelimit.checks import at_least, over


def test_over_and_at_least_read_counts_only() -> None:
    assert [over(3)(n) for n in (2, 3, 4)] == [False, False, True]
    assert [at_least(3)(n) for n in (2, 3, 4)] == [False, True, True]
    assert not over(0)({"all": 5}) and not at_least(0)({"all": 5})  # counters are not counts
