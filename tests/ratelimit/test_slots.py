"""A client's decision split by hash slot and put back together (slots.py).

The end-to-end check (a call per slot group on a real Redis Cluster decides
as the general path does, refunds included) is
tests/ratelimit/test_remote.py; here the parts, on tables."""

from __future__ import annotations

import random

import pytest

from gateway.ratelimit.admission import ClientLimits, fired
from gateway.ratelimit.checks import Check, at_least, over
from gateway.ratelimit.identity import Identifier
from gateway.ratelimit.plan import plan_for
from gateway.ratelimit.slots import SlotGroup, combine, decided, result_places, slot_groups, slot_of
from gateway.ratelimit.store import Bucket, Verdict
from tests.conftest import compiled, policy_text

LIMITS = """
rate_limits:
  detect_by: [subject, device, ip]
  device_header: X-Device-Id
  limits:
    - {name: per-client, dimensions: [subject, device], rate: 20/s, burst: 40}
    - {name: per-ip, dimensions: [ip], rate: 200/s, burst: 400}
  enumeration: {window: 10m, max_ids: 8, sequential_run: 4, then: {action: ban, duration: 1m}}
"""


def _limits_of(buckets: tuple[Bucket, ...], penalties: tuple[str, ...],
               enumeration: tuple[tuple[str, str], ...], ids: tuple[Check, ...],
               runs: tuple[Check, ...]) -> ClientLimits:
    return ClientLimits(buckets, penalties, enumeration, None, True, 600.0, 8, 4, 0, ids, runs)


def test_a_client_in_one_slot_has_no_groups_and_one_with_a_subject_has_its_slots() -> None:
    """An address's keys carry its network's tag: an anonymous client is one
    slot; a subject and a device bring a slot each."""
    limits = compiled(policy_text("http://127.0.0.1:9") + LIMITS).limits
    assert limits is not None
    identifier: Identifier = limits.identifier
    anonymous = plan_for(limits, identifier.identify(None, None, "10.0.0.1"), "protected", "GET")
    assert anonymous.slot >= 0 and anonymous.groups == ()
    plan = plan_for(limits, identifier.identify("k1", "dev-1", "10.0.0.1"), "protected", "GET")
    assert plan.slot == -1 and len(plan.groups) == 3
    for group in plan.groups:
        keys = [*(b.key for b in group.limits.buckets), *group.limits.penalty_keys,
                *(k for pair in group.limits.enumeration for k in pair)]
        assert {slot_of(k) for k in keys} == {group.slot}
    # every bucket, penalty key and dimension in exactly one group, in the plan's order
    assert sorted(i for g in plan.groups for i in g.buckets) == list(range(len(plan.buckets)))
    assert [plan.buckets[i] for g in plan.groups for i in g.buckets] == [
        b for g in plan.groups for b in g.limits.buckets]
    assert sorted(d for g in plan.groups for d in g.dims) == list(range(len(plan.enumeration)))
    for group in plan.groups:
        assert group.limits.ids_checks == tuple(plan.enumeration_ids[d] for d in group.dims)
        assert group.limits.run_checks == tuple(
            c for d in group.dims for c in plan.enumeration_runs[2 * d:2 * d + 2])
        assert plan.penalties[group.head] in group.limits.penalty_keys


def test_groups_are_made_in_the_order_their_slots_first_appear() -> None:
    buckets = [Bucket("pgw:rl:{a}:x", 1, 1, 0), Bucket("pgw:rl:{b}:x", 1, 1, 0),
               Bucket("pgw:rl:{a}:y", 1, 1, 0)]
    penalties = ["pgw:pen:{b}", "pgw:pen:{a}"]
    enumeration = [("pgw:en:{b}:r", "pgw:sr:{b}:r"), ("pgw:en:{a}:r", "pgw:sr:{a}:r")]
    ids = [Check("enumeration", d, over(8), None) for d in ("b", "a")]
    runs = [c for check in ids for c in (check, check._replace(fires=at_least(4)))]
    a, b = slot_groups(buckets, penalties, enumeration, ids, runs, _limits_of)
    assert (a.slot, a.buckets, a.head, a.dims) == (slot_of("{a}"), (0, 2), 1, (1,))
    assert (b.slot, b.buckets, b.head, b.dims) == (slot_of("{b}"), (1,), 0, (0,))
    assert a.limits.run_checks == tuple(runs[2:]) and b.limits.ids_checks == (ids[0],)


def _verdict(allowed: bool = True, retry: float = 0.0, remaining: tuple[int, ...] = (),
             denied: int = -1, penalty: str = "", ttl: float = 0.0, quota: bool = False,
             observed: tuple[object, ...] = ()) -> Verdict:
    return Verdict(allowed, retry, remaining, denied, penalty, ttl, quota, observed)  # type: ignore[arg-type]


COMBINED = [
    # every group admitted: each bucket's remaining in its place, results in theirs
    ([_verdict(remaining=(5, 7), observed=(3,)), _verdict(remaining=(9,), observed=(4,))],
     _verdict(remaining=(5, 9, 7), observed=(4, 3))),
    # one refused: not admitted, its bucket named in the request's order, no remaining
    ([_verdict(remaining=(5, 7), observed=(3,)),
      _verdict(False, 2.5, denied=0, observed=(4,))],
     _verdict(False, 2.5, denied=1, observed=(4, 3))),
    # both refused: the longer wait and its bucket; its quota flag
    ([_verdict(False, 9.0, denied=1, quota=True), _verdict(False, 2.5, denied=0)],
     _verdict(False, 9.0, denied=2, quota=True, observed=(0, 0))),
    # waits within TIE (buckets that ran out together): the bucket placed first,
    # either order;
    # the wait is the longer
    ([_verdict(False, 5.4, denied=1), _verdict(False, 5.0, denied=0, quota=True)],
     _verdict(False, 5.4, denied=1, quota=True, observed=(0, 0))),
    ([_verdict(False, 5.0, denied=1), _verdict(False, 5.4, denied=0, quota=True)],
     _verdict(False, 5.4, denied=1, quota=True, observed=(0, 0))),
    # waits further apart: the longer, wherever its bucket is
    ([_verdict(False, 6.5, denied=1), _verdict(False, 5.0, denied=0, quota=True)],
     _verdict(False, 6.5, denied=2, observed=(0, 0))),
    # penalties: the strongest wins, whichever group found it
    ([_verdict(remaining=(1, 1), penalty="throttle", ttl=5.0),
      _verdict(False, 0.0, penalty="ban", ttl=60.0)],
     _verdict(False, 0.0, penalty="ban", ttl=60.0, observed=(0, 0))),
    # the same penalty in both: the group holding the client's first penalty key
    ([_verdict(remaining=(1, 1), penalty="strict", ttl=5.0),
      _verdict(remaining=(1,), penalty="strict", ttl=7.0)],
     _verdict(remaining=(1, 1, 1), penalty="strict", ttl=7.0, observed=(0, 0))),
]


@pytest.mark.parametrize(("verdicts", "expected"), COMBINED)
def test_combine(verdicts: list[Verdict], expected: Verdict) -> None:
    # group 0: buckets 0 and 2, result 1, penalty keys from 1; group 1: bucket 1,
    # result 0, penalty keys from 0
    results = [[1], [0]] if verdicts[0].observed else [[], []]
    got = combine(verdicts, [[0, 2], [1]], results, [1, 0], 3, 2)
    assert got == expected


def test_decided_puts_results_in_the_plans_order_and_finds_the_first_firing() -> None:
    """A request with a numeric id on a client of two groups: each group's
    (distinct ids, run) pairs land at their dimension's place; the firing
    found is the one the whole client's answer names."""
    dims = ("subject", "ip", "device")
    ids = tuple(Check("enumeration", d, over(8), None) for d in dims)
    runs = tuple(c for check in ids for c in (check, check._replace(fires=at_least(4))))
    whole = _limits_of((), (), (("k0", "r0"), ("k1", "r1"), ("k2", "r2")), ids, runs)
    # group 0 has dimensions 0 and 2, group 1 dimension 1
    g0 = SlotGroup(1, _limits_of((), (), (), (ids[0], ids[2]), runs[0:2] + runs[4:6]), (), 0,
                   (0, 2))
    g1 = SlotGroup(2, _limits_of((), (), (), (ids[1],), runs[2:4]), (), 0, (1,))
    rng = random.Random(5)
    for _ in range(200):
        seen = [rng.randint(0, 10) for _ in range(6)]  # in the plan's order
        a0 = (_verdict(observed=(seen[0], seen[1], seen[4], seen[5])), g0.limits.run_checks,
              -1, -1)
        a1 = (_verdict(observed=(seen[2], seen[3])), g1.limits.run_checks, -1, -1)
        verdict, checks, firing, _ = decided([g0, g1], [a0, a1], whole)
        assert verdict.observed == tuple(seen) and checks is runs
        assert firing == fired(whole, tuple(seen), True)
    no_ids = [(_verdict(), (), -1, -1), (_verdict(), (), -1, -1)]
    assert decided([g0, g1], no_ids, whole)[1:3] == ((), -1)


def test_result_places() -> None:
    groups = [SlotGroup(1, _limits_of((), (), (), (), ()), (), 0, (0, 2)),
              SlotGroup(2, _limits_of((), (), (), (), ()), (), 0, (1,))]
    assert result_places(groups, False) == [[0, 2], [1]]
    assert result_places(groups, True) == [[0, 1, 4, 5], [2, 3]]
