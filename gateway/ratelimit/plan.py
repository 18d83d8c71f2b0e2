"""What one client's requests to one route decide, built once.

For a client identity, a route and a method: the buckets of the limits that
apply (with the dimension each names), the client's penalty keys, its
detector dimensions with their hash tags, its probing checks, and the Redis
Cluster hash slot its keys share (a client without subject or device: its
address's keys carry its network's tag) or, in several, its slot groups
(`slots.py`).

A response's counts (the probing detector's, the exposure budget's) are
keyed under one of `COUNT_SHARDS` shared hash tags, picked from the
client's own tag (`count_tag`), with the client's tag after it: the counts
the batcher sends for the responses of many clients (`batcher.py`) then
make at most `COUNT_SHARDS` script calls on Redis Cluster, where under each
client's own tag they made one per client, about one a request with many
clients (bench/README.md). They are never in a call with the client's
decision keys, which keep the client's tag. Kept on the
Identity, which `Identifier.identify` caches per client, so a request builds
none of it again; a policy reload compiles a new Identifier, hence new plans.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

from gateway.policy.ratelimits import ProbingModel
from gateway.ratelimit.admission import ClientLimits, client_limits
from gateway.ratelimit.checks import Check, at_least, over
from gateway.ratelimit.identity import Identity
from gateway.ratelimit.limits import CompiledLimit, Limits
from gateway.ratelimit.slots import SlotGroup, slot_groups, slot_of
from gateway.ratelimit.store import Bucket, Observed, Op

_HUGE = 2**62  # a threshold past any count (the core holds thresholds as 64-bit integers)
COUNT_SHARDS = 64  # hash tags a response's counts go under (Redis Cluster slots)


def count_tag(tag: str) -> str:
    """The tag a client dimension's response counts go under: a shared hash
    tag (`{c<n>}`, n below COUNT_SHARDS, the same for the dimension on every
    replica), then the dimension's own tag, so keys of different clients stay
    apart."""
    return f"{{c{zlib.crc32(tag.encode()) % COUNT_SHARDS}}}{tag}"


def _probing_fires(probing: ProbingModel) -> Callable[[Observed], bool]:
    def fires(counts: Observed) -> bool:
        if not isinstance(counts, dict):
            return False
        total, errors = counts.get("all", 0), counts.get("error", 0)
        return total >= probing.min_requests and errors / total > probing.max_error_ratio
    return fires


def _never(_: Observed) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class ClientPlan:
    chosen: tuple[tuple[CompiledLimit, str], ...]  # (limit, dimension) per bucket
    buckets: tuple[Bucket, ...]
    penalties: tuple[str, ...]  # the client's penalty keys, one per dimension
    tags: tuple[tuple[str, str], ...]  # (dimension, hash tag) per detector dimension
    count_tags: tuple[tuple[str, str], ...]  # (dimension, count_tag) per detector dimension
    probing: tuple[Check, ...]  # for a response that is no error: counts, never fires
    probing_error: tuple[Check, ...]  # for an error response
    # enumeration: (distinct ids key, sequential run key) per detector dimension, and
    # the checks of a request with ids (one per dimension) and with a numeric id
    # (the ids' then the run's, per dimension)
    enumeration: tuple[tuple[str, str], ...]
    enumeration_ids: tuple[Check, ...]
    enumeration_runs: tuple[Check, ...]
    allowed: tuple[tuple[str, str, str], ...]  # metric labels of an admitted request
    probing_ops: tuple[Op, ...]  # the ops of `probing`
    probing_error_ops: tuple[Op, ...]  # the ops of `probing_error`
    limits: ClientLimits  # a request without a query on the memory store (admission.py)
    slot: int  # the hash slot all the keys of a request without a query share, -1: several
    groups: tuple[SlotGroup, ...]  # with several: `limits` by hash slot (slots.py)


def plan_for(limits: Limits, identity: Identity, route: str, method: str) -> ClientPlan:
    """Kept per route and per method that some limit names; every other method
    (any token a client sends) shares one plan, so a client cannot grow them."""
    key = (route, method if method in limits.named_methods else "")
    found = identity.plans.get(key)
    if found is None:
        found = identity.plans[key] = _build(limits, identity, route, method)
    return found  # type: ignore[return-value]  # only plans go in (no cast: a call a request)


def _build(limits: Limits, identity: Identity, route: str, method: str) -> ClientPlan:
    chosen: list[tuple[CompiledLimit, str]] = []
    buckets: list[Bucket] = []
    for limit in limits.for_route(route, method):
        for dimension in limit.dimensions:
            tag = identity.tag(dimension)
            if tag is not None:
                chosen.append((limit, dimension))
                buckets.append(Bucket(f"pgw:rl:{tag}:{limit.name}", limit.rate, limit.burst,
                                      limit.quota))
    tags = tuple((d, tag) for d in limits.detect_by if (tag := identity.tag(d)) is not None)
    count_tags = tuple((d, count_tag(tag)) for d, tag in tags)
    probing: tuple[Check, ...] = ()
    probing_error: tuple[Check, ...] = ()
    probing_ops: tuple[Op, ...] = ()
    probing_error_ops: tuple[Op, ...] = ()
    if (model := limits.probing) is not None:
        # only an error response fires: after a ban, good requests do not re-fire
        probing = tuple(Check("probing", d, _never, model.then) for d, _ in tags)
        fires = _probing_fires(model)
        probing_error = tuple(Check("probing", d, fires, model.then) for d, _ in tags)
        probing_ops = tuple(Op("count", f"pgw:pr:{tag}", model.window, ("all",))
                            for _, tag in count_tags)
        probing_error_ops = tuple(Op("count", f"pgw:pr:{tag}", model.window, ("all", "error"))
                                  for _, tag in count_tags)
    ids: tuple[Check, ...] = ()
    runs: tuple[Check, ...] = ()
    enumeration: tuple[tuple[str, str], ...] = ()
    enum = limits.enumeration
    if enum is not None:
        too_many, too_long = over(enum.max_ids), at_least(enum.sequential_run)
        ids = tuple(Check("enumeration", d, too_many, enum.then) for d, _ in tags)
        runs = tuple(c for check in ids for c in (check, check._replace(fires=too_long)))
        enumeration = tuple((f"pgw:en:{tag}:{route}", f"pgw:sr:{tag}:{route}")
                            for _, tag in tags)
    penalties = tuple(f"pgw:pen:{identity.tag(d)}" for d in identity.keys)
    identifier = limits.identifier

    def limits_of(some: tuple[Bucket, ...], keys: tuple[str, ...],
                  pairs: tuple[tuple[str, str], ...], id_checks: tuple[Check, ...],
                  run_checks: tuple[Check, ...]) -> ClientLimits:
        """The admission of these buckets, penalty keys and enumeration keys
        (all the client's, or one slot group's)."""
        return client_limits(
            some, keys, pairs, identifier.mac,
            enum is not None and enum.path_ids, enum.window if enum is not None else 1.0,
            min(enum.max_ids, _HUGE) if enum is not None else 0,
            min(enum.sequential_run, _HUGE) if enum is not None else 0,
            identifier.run_offset, id_checks, run_checks)

    every = {*(b.key for b in buckets), *penalties, *(k for pair in enumeration for k in pair)}
    slots = {slot_of(k) for k in every}
    return ClientPlan(tuple(chosen), tuple(buckets), penalties, tags, count_tags, probing,
                      probing_error, enumeration, ids, runs,
                      tuple((route, limit.name, "allowed") for limit, _ in chosen),
                      probing_ops, probing_error_ops,
                      limits_of(tuple(buckets), penalties, enumeration, ids, runs),
                      slots.pop() if len(slots) == 1 else -1,
                      slot_groups(buckets, penalties, enumeration, ids, runs, limits_of)
                      if len(slots) > 1 else ())
