"""A request's limit decision in one call on the process's table.

On the memory store, a request without a query string is decided in one call
(`admit`): the ids its path names are counted for the enumeration detector
(the distinct ids, and the sequential run of the last short number, of each
detector dimension), then penalties and buckets (`Table.decide`), and the
first enumeration check that fires is found. It is the stage's general path
(ratelimit_stage.py: `_enumeration`, then `decide`) in one call, with the
same answers and the same table afterwards; the native core's `LimitTable.admit`
and `ClientLimits` do it in C (tests/ratelimit/test_admission.py holds the
three to that). A request with a query string (paging, query ids) takes the
general path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gateway.crypto.digest import KeyedDigest
from gateway.native import core
from gateway.ratelimit.checks import Check
from gateway.ratelimit.ids import enumeration_ops, path_ids
from gateway.ratelimit.store import Bucket, Observed, Op, Verdict

# (verdict, the checks of the detector updates in verdict.observed, the index
# of the first that fires or -1, the tightest bucket: the first with the fewest
# requests left, -1 when refused or without buckets)
Admitted = tuple[Verdict, tuple[Check, ...], int, int]


class Decides(Protocol):
    """table.Table's decision."""

    def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
               ops: Sequence[Op], now: float) -> Verdict: ...


@dataclass(frozen=True, slots=True)
class ClientLimits:
    """What `admit` needs of one client's plan for one route (plan.py)."""

    buckets: tuple[Bucket, ...]
    penalty_keys: tuple[str, ...]
    enumeration: tuple[tuple[str, str], ...]  # (distinct ids key, run key) per dimension
    digest: KeyedDigest | None  # the ids' keyed digest (Identifier.digest "id")
    path_ids: bool  # the enumeration detector counts path ids
    window: float
    max_ids: int  # fires above
    run_at: int  # fires at
    run_offset: int  # Identifier.run_offset
    ids_checks: tuple[Check, ...]  # plan.enumeration_ids
    run_checks: tuple[Check, ...]  # plan.enumeration_runs


def client_limits(*args: Any) -> ClientLimits:
    """The core's ClientLimits when it is used (its LimitTable reads only
    those), else this module's; the same arguments."""
    if core is not None:
        made: ClientLimits = core.ClientLimits(*args)
        return made
    return ClientLimits(*args)


def admit(table: Decides, c: ClientLimits, path: str, now: float) -> Admitted:
    """The reference of `LimitTable.admit` (which answers None where it
    leaves a path to the general path; this never does)."""
    ids = path_ids(path) if c.path_ids and c.enumeration else []
    if not ids:
        return admitted(table.decide(c.buckets, c.penalty_keys, (), now), (), -1)
    assert c.digest is not None
    ops, ran = enumeration_ops(ids, c.digest.of, c.window, c.enumeration, c.run_offset)
    verdict = table.decide(c.buckets, c.penalty_keys, ops, now)
    return admitted(verdict, c.run_checks if ran else c.ids_checks,
                    fired(c, verdict.observed, ran))


def fired(c: ClientLimits, observed: Sequence[Observed], ran: bool) -> int:
    """The first of a request's enumeration results (`enumeration_ops`'
    order: per dimension the distinct ids, then the run when `ran`) that
    fires, -1."""
    for k, seen in enumerate(observed):
        assert isinstance(seen, int)
        if seen >= c.run_at if ran and k % 2 else seen > c.max_ids:
            return k
    return -1


def tightest(verdict: Verdict) -> int:
    """The admitted verdict's tightest bucket: the first with the fewest
    requests left; -1 when refused or without buckets (the core's
    `_admitted` finds the same in C)."""
    remaining = verdict.remaining
    return remaining.index(min(remaining)) if verdict.allowed and remaining else -1


def admitted(verdict: Verdict, checks: tuple[Check, ...], firing: int) -> Admitted:
    return verdict, checks, firing, tightest(verdict)
