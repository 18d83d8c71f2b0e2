"""A client's decision split by Redis Cluster hash slot, and put back together.

Each client dimension's keys carry its own hash tag (an address's carry its
network's), so a client with a subject or a device has keys in two or more
slots. Each slot group is then decided as a decision of its own:

- on the one-call path, a `SlotGroup` is the group's part of the client's
  plan (its buckets, penalty keys and enumeration keys, as a
  `ClientLimits`), made into one script call per group by `remote.py`, the
  calls in flight together;
- on the general path, `RedisClusterStore.decide` splits a request's
  buckets, penalty keys and ops by slot.

Both put the group verdicts together with `combine`: admitted only where
every group admitted; the strongest penalty (a ban before a strict role
before a throttle), the client's first penalty key on a tie; the longest
wait of the groups that refused, and its bucket (of waits within a second,
the bucket placed first: `refuses_before`); every result and every
bucket's remaining count in the request's own order. The groups that
admitted when another refused are refunded by the caller
(`RedisClusterStore.refund`), so buckets stay all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis.crc import key_slot

from gateway.ratelimit.admission import Admitted, ClientLimits, admitted, fired
from gateway.ratelimit.checks import Check
from gateway.ratelimit.store import Bucket, Observed, Verdict

_STRENGTH = {"ban": 3, "strict": 2, "throttle": 1, "": 0}  # which penalty a request gets

# (buckets, penalty keys, enumeration key pairs, ids checks, run checks) -> ClientLimits
LimitsOf = Callable[[tuple[Bucket, ...], tuple[str, ...], tuple[tuple[str, str], ...],
                     tuple[Check, ...], tuple[Check, ...]], ClientLimits]


@dataclass(frozen=True, slots=True)
class SlotGroup:
    """The part of a client's plan in one hash slot."""

    slot: int
    limits: ClientLimits  # its buckets, penalty keys and enumeration keys (remote.py)
    buckets: tuple[int, ...]  # the places of its buckets among the plan's
    head: int  # the place of its first penalty key among the plan's (0: none)
    dims: tuple[int, ...]  # the places of its enumeration dimensions among the plan's


def slot_of(key: str) -> int:
    return int(key_slot(key.encode()))


def slot_groups(buckets: Sequence[Bucket], penalties: Sequence[str],
                enumeration: Sequence[tuple[str, str]], ids: Sequence[Check],
                runs: Sequence[Check], limits_of: LimitsOf) -> tuple[SlotGroup, ...]:
    """A plan's buckets, penalty keys and enumeration keys (`ids`, `runs`:
    their checks, one and two per dimension) by hash slot, in the order
    each slot first appears. (A dimension's two enumeration keys share its
    hash tag, hence its slot.)"""
    parts: dict[int, tuple[list[int], list[int], list[int]]] = {}
    for i, b in enumerate(buckets):
        parts.setdefault(slot_of(b.key), ([], [], []))[0].append(i)
    for i, key in enumerate(penalties):
        parts.setdefault(slot_of(key), ([], [], []))[1].append(i)
    for d, (distinct, _) in enumerate(enumeration):
        parts.setdefault(slot_of(distinct), ([], [], []))[2].append(d)
    return tuple(
        SlotGroup(slot, limits_of(tuple(buckets[i] for i in bs), tuple(penalties[i] for i in ps),
                                  tuple(enumeration[d] for d in ds), tuple(ids[d] for d in ds),
                                  tuple(c for d in ds for c in runs[2 * d:2 * d + 2])),
                  tuple(bs), min(ps, default=0), tuple(ds))
        for slot, (bs, ps, ds) in parts.items())


def decided(groups: Sequence[SlotGroup], answers: Sequence[Admitted], whole: ClientLimits
            ) -> Admitted:
    """The request's answer from its groups' (`remote.answered` of each
    group's call), as the client's one call would answer (`whole`: the
    client's ClientLimits): the enumeration checks and results in the
    plan's order."""
    enumerated: tuple[Check, ...] = ()
    for group, (_, checks, _, _) in zip(groups, answers, strict=True):
        if checks:  # every group with ids saw the same path: the same kind
            enumerated = whole.run_checks if checks is group.limits.run_checks else whole.ids_checks
    ran = enumerated is whole.run_checks and bool(enumerated)
    verdict = combine([a[0] for a in answers], [g.buckets for g in groups],
                      result_places(groups, ran) if enumerated else [[] for _ in groups],
                      [g.head for g in groups], len(whole.buckets), len(enumerated))
    return admitted(verdict, enumerated,
                    fired(whole, verdict.observed, ran) if enumerated else -1)


def result_places(groups: Sequence[SlotGroup], ran: bool) -> list[list[int]]:
    """Where each group's enumeration results go among the request's: per
    dimension its distinct count, then (`ran`) its run."""
    if ran:
        return [[p for d in g.dims for p in (2 * d, 2 * d + 1)] for g in groups]
    return [list(g.dims) for g in groups]


TIE = 1.0  # seconds: refusals' waits this close are one wait (Retry-After counts whole seconds)


def refuses_before(first: bool, wait: float, at: int, retry: float, denied: int) -> bool:
    """Whether a group's refusal (its wait, the place of its bucket) names
    the request's refusal rather than the one named so far (`first`: none
    yet): the longer wait, and of waits within TIE the bucket placed first.
    Buckets that ran out together differ by the milliseconds between their
    first requests and between the masters' readings of the clock, so which
    one a refusal named (and its RateLimit header) turned on that; the
    Retry-After stays the longest wait."""
    return first or wait > retry + TIE or (wait >= retry - TIE and at < denied)


def combine(verdicts: Sequence[Verdict], buckets: Sequence[Sequence[int]],
            results: Sequence[Sequence[int]], heads: Sequence[int], n_buckets: int,
            n_results: int) -> Verdict:
    """One verdict of the request from its groups': `buckets[g]` and
    `results[g]` are the places of group g's buckets and results among the
    request's, `heads[g]` the place of its first penalty key."""
    allowed, retry, denied, quota = True, 0.0, -1, False
    penalty, penalty_ttl, rank = "", 0.0, (0, 0)
    remaining = [0] * n_buckets
    observed: list[Observed] = [0] * n_results
    for verdict, places, seen_at, head in zip(verdicts, buckets, results, heads, strict=True):
        for i, seen in zip(seen_at, verdict.observed, strict=True):
            observed[i] = seen
        if verdict.penalty:
            strength = (_STRENGTH.get(verdict.penalty, 0), -head)
            if strength > rank:
                penalty, penalty_ttl, rank = verdict.penalty, verdict.penalty_ttl, strength
        if verdict.allowed:
            for i, left in zip(places, verdict.remaining, strict=True):
                remaining[i] = left
            continue
        at = places[verdict.denied] if verdict.denied >= 0 else -1
        if refuses_before(allowed, verdict.retry_after, at, retry, denied):
            denied, quota = at, verdict.quota_hit
        retry, allowed = max(retry, verdict.retry_after), False
    return Verdict(allowed, retry, tuple(remaining) if allowed else (), denied, penalty,
                   penalty_ttl, quota, tuple(observed))
