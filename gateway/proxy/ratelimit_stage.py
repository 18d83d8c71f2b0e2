"""Rate limits and scraping detectors around one request.

`before_request` runs once the route and the caller's role are known: paging
checks, penalties and limits in one store decision, then the enumeration
detector. `after_response` runs once the upstream answered: the probing
detector, and on protected routes the exposure budget (which can still turn
the response into a 429). Every decision lands in `ex.limits` (the access
line) and in metrics. What a firing detector does is `detectors.py`.

A request without a query string is decided in one call on the memory store
(`admission.py`) and, on Redis with its breaker closed, as one script call
made from the client's plan (`remote.py`; on Redis Cluster one per slot
group of the client's keys, `slots.py`); every other request takes the
general path (`_general`), with the same answers.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from gateway.errors import PageSizeTooLarge, RateLimited
from gateway.exchange import Exchange, LimitDecision
from gateway.obs.metrics import RATELIMIT_DECISIONS
from gateway.policy.compiled import CompiledRoute
from gateway.proxy.detectors import act, act_after, fallback, fire, first_firing, store_call
from gateway.ratelimit.admission import Admitted, tightest
from gateway.ratelimit.breaker import FAILURES
from gateway.ratelimit.checks import Check, over
from gateway.ratelimit.cluster_store import RedisClusterStore
from gateway.ratelimit.coalesce import in_turn
from gateway.ratelimit.identity import Identity
from gateway.ratelimit.ids import enumeration_ops, path_ids
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.limits import Limits
from gateway.ratelimit.plan import ClientPlan, plan_for
from gateway.ratelimit.remote import Script, chosen
from gateway.ratelimit.store import Bucket, LimitStore, Observed, Op, Verdict

_tuple_new = tuple.__new__
_script, _answered, _groups_decided = chosen()


def _scaled(bucket: Bucket, share: float) -> Bucket:
    if share >= 1.0:
        return bucket
    return Bucket(bucket.key, bucket.rate * share, max(1, int(bucket.burst * share)),
                  int(bucket.quota * share) if bucket.quota else 0)


def _deciding(plan: ClientPlan, ops: Sequence[Op]
              ) -> Callable[[LimitStore, float], Awaitable[Verdict]]:
    """The decision of penalties, limits and `ops` on a store, with the
    share of each limit it grants (the local fallback's)."""
    buckets, penalties = plan.buckets, plan.penalties
    return lambda s, share: s.decide(
        buckets if share >= 1.0 else [_scaled(b, share) for b in buckets], penalties, ops)


async def _limit(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                 identity: Identity, plan: ClientPlan, checks: Sequence[Check],
                 ops: Sequence[Op]) -> None:
    """Penalties, limits and the request's detector updates (`ops`, one per
    check) in one store call."""
    verdict: Verdict
    if holder.breaker is None:  # in this process: nothing to fall back from
        verdict = await holder.store.decide(plan.buckets, plan.penalties, ops)
    else:
        verdict = await store_call(holder, "decide", route, _deciding(plan, ops))
    await _settle(ex, limits, holder, route, identity, plan, checks, verdict)


async def _remote(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                  identity: Identity, plan: ClientPlan, path: str,
                  reply: Awaitable[list[Any]], checks: tuple[Check, ...]) -> None:
    """A request decided by one script call on Redis (`remote.py`): the
    breaker counts its outcome as `Breaker.call` would, and a call that
    failed is decided as the general path decides it then."""
    breaker = holder.breaker
    assert breaker is not None
    try:
        got = await reply
    except FAILURES as exc:
        breaker.failed(exc)
        await _locally(ex, limits, holder, route, identity, plan, path)
        return
    breaker.passed()
    settling = _decided(ex, limits, holder, route, identity, plan,
                        _answered(got, plan.limits, checks))
    if settling is not None:
        await settling


def _scripts(plan: ClientPlan, path: str) -> list[Script] | None:
    """Each slot group's script call, or None when the core hands the path back."""
    scripts = []
    for group in plan.groups:
        if (call := _script(group.limits, path)) is None:
            return None
        scripts.append(call)
    return scripts


async def _slot_groups(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                       identity: Identity, plan: ClientPlan, path: str,
                       store: RedisClusterStore, scripts: list[Script]) -> None:
    """A client whose keys span hash slots on Redis Cluster: a script call
    per slot group (`slots.py`), in flight together, answered as one call
    would be; the groups that admitted are refunded when another refused.
    Failures as `_remote`'s."""
    breaker = holder.breaker
    assert breaker is not None
    groups = plan.groups
    try:
        got = await in_turn([store.submit(g.slot, keys, args)
                           for g, (keys, args, _) in zip(groups, scripts, strict=True)])
        answer = _groups_decided(got, groups, tuple(s[2] for s in scripts), plan.limits)
        if not answer[0].allowed:  # the groups that admitted give their slot back
            await store.refund([g.limits.buckets for reply, g, (_, _, checks)
                                in zip(got, groups, scripts, strict=True)
                                if _answered(reply, g.limits, checks)[0].allowed])
    except FAILURES as exc:
        breaker.failed(exc)
        await _locally(ex, limits, holder, route, identity, plan, path)
        return
    breaker.passed()
    settling = _decided(ex, limits, holder, route, identity, plan, answer)
    if settling is not None:
        await settling


async def _locally(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                   identity: Identity, plan: ClientPlan, path: str) -> None:
    """A request whose Redis call failed, decided as the general path decides
    it then: locally and counted as degraded, or refused on a sensitive route."""
    found = _enumeration(limits, plan, path, []) if limits.enumeration is not None else None
    enumerated, ops = found if found else ((), [])
    verdict = await fallback(holder, "decide", route, _deciding(plan, ops))
    await _settle(ex, limits, holder, route, identity, plan, enumerated, verdict)


def _decided(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
             identity: Identity, plan: ClientPlan, admitted: Admitted) -> Awaitable[None] | None:
    """A request decided in one call (`admission.py`, `remote.py`): an
    admitted one that fires nothing is settled at once, without a coroutine."""
    verdict, enumerated, fired, index = admitted
    if fired < 0 and verdict.allowed and not verdict.penalty:
        if index >= 0:
            _admitted(ex, plan, verdict, index)
        return None
    return _settle(ex, limits, holder, route, identity, plan, enumerated, verdict)


async def _settle(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                  identity: Identity, plan: ClientPlan, checks: Sequence[Check],
                  verdict: Verdict) -> None:
    """What a verdict means for the request: detectors that fire, penalties
    in force, a refusal or the admitted request's decision and headers."""
    chosen = plan.chosen
    # a scraper at its limit is still seen by the detectors
    if (checks and verdict.penalty != "ban"
            and (firing := first_firing(checks, verdict.observed)) is not None):
        await act(ex, limits, holder, route, identity, firing)
    if verdict.penalty == "ban":
        ex.limits.append(LimitDecision("banned"))
        raise RateLimited("client_banned", "this client is banned for a while",
                          {"Retry-After": str(max(1, math.ceil(verdict.penalty_ttl)))})
    if verdict.penalty == "strict":
        ex.caller.role = limits.strict_role
    if not chosen:
        return
    if not verdict.allowed:
        limit, dimension = chosen[verdict.denied]
        RATELIMIT_DECISIONS.add((route.name, limit.name, "denied"))
        ex.limits.append(LimitDecision("quota" if verdict.quota_hit else "denied", limit.name,
                                       dimension, 0))
        headers = {"Retry-After": str(max(1, math.ceil(verdict.retry_after))),
                   **limit.headers(0, verdict.retry_after)}
        if verdict.quota_hit:
            raise RateLimited("quota_exceeded", f"the daily quota of {limit.name} is used up",
                              headers)
        raise RateLimited("rate_limited", f"too many requests ({limit.name})", headers)
    _admitted(ex, plan, verdict, tightest(verdict))


def _admitted(ex: Exchange, plan: ClientPlan, verdict: Verdict, index: int) -> None:
    """An admitted request (some limit applies): its tightest bucket (`index`,
    the first with the fewest requests left) in the access line, metrics,
    and the RateLimit headers."""
    limit, dimension = plan.chosen[index]
    left = verdict.remaining[index]
    RATELIMIT_DECISIONS.add_each(plan.allowed)
    # tuple.__new__ straight: a named tuple's own __new__ is a Python call
    ex.limits.append(_tuple_new(LimitDecision, (verdict.penalty or "allowed", limit.name,
                                                dimension, left)))
    ex.rate_headers = limit.headers(left)


def before_request(ex: Exchange, route: CompiledRoute, holder: StoreHolder, path: str,
                   query: str) -> Awaitable[None] | None:
    """What the request must wait for (a store call, a firing detector's
    penalty), or None when it was decided at once: the caller awaits only
    then (a coroutine a request costs ~1 µs, and on the memory store most
    requests are decided without one). Raises RateLimited at once too."""
    limits = ex.policy.limits
    identity = ex.caller.identity  # resolved with the caller (proxy/caller.py)
    if limits is None or identity is None:
        return None
    plan = ex.limit_plan = plan_for(limits, identity, route.name, ex.method)
    if not query:
        local = holder.local
        if local is not None:
            # in this process: one call (ratelimit/admission.py)
            if (admitted := local.admit(plan.limits, path)) is not None:
                return _decided(ex, limits, holder, route, identity, plan, admitted)
        elif (remote := holder.remote) is not None:
            if remote.one_call(plan.slot):
                # Redis, its breaker closed, the keys in one call: ratelimit/remote.py
                if (call := _script(plan.limits, path)) is not None:
                    return _remote(ex, limits, holder, route, identity, plan, path,
                                   remote.submit(plan.slot, call[0], call[1]), call[2])
            elif (plan.groups and isinstance(remote, RedisClusterStore)
                  and remote.one_call(plan.groups[0].slot)
                  and (scripts := _scripts(plan, path)) is not None):
                # Redis Cluster, the keys in several slots: a call per slot group
                return _slot_groups(ex, limits, holder, route, identity, plan, path, remote,
                                    scripts)
    return _general(ex, limits, holder, route, identity, plan, path, query)


async def _general(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                   identity: Identity, plan: ClientPlan, path: str, query: str) -> None:
    """A request with a query string, on a Redis whose breaker is open or a
    cluster where the client's keys span slots, or whose path the core hands
    back: paging, the enumeration detector's updates and the decision."""
    params = parse_qsl(query, keep_blank_values=True) if query else []
    checks: Sequence[Check] = ()
    ops: list[Op] = []
    if limits.paging is not None and params:
        checks, ops = await _paging(ex, limits, holder, route, identity, plan.tags, params)
    if limits.enumeration is not None and (found := _enumeration(limits, plan, path, params)):
        checks = [*checks, *found[0]] if checks else found[0]
        ops += found[1]
    await _limit(ex, limits, holder, route, identity, plan, checks, ops)


async def _paging(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                  identity: Identity, tags: Sequence[tuple[str, str]],
                  params: list[tuple[str, str]]) -> tuple[list[Check], list[Op]]:
    paging = limits.paging
    assert paging is not None
    size = next((int(v) for k, v in params if k in paging.size_params and v.isdigit()), None)
    if size is not None and size > paging.max_size:
        raise PageSizeTooLarge(paging.max_size)
    page = next((int(v) for k, v in params if k in paging.page_params and v.isdigit()), None)
    if page is None or not tags:
        return [], []
    if any(k == "offset" for k, _ in params):
        page = page // max(size or 1, 1) + 1
    if page > paging.max_page:
        await fire(ex, limits, holder, route, identity, "paging", tags[0][0], paging.then)
    fires, member = over(paging.max_pages), (f"{page}:{size}",)
    return ([Check("paging", d, fires, paging.then) for d, _ in tags],
            [Op("distinct", f"pgw:pg:{tag}:{route.name}", paging.window, member)
             for _, tag in tags])


def _enumeration(limits: Limits, plan: ClientPlan, path: str, params: list[tuple[str, str]]
                 ) -> tuple[Sequence[Check], list[Op]] | None:
    """The ids a request names (numeric and UUID path segments, the policy's
    query parameters), as the distinct-ids and sequential-run updates of each
    detector dimension; None without ids."""
    enum = limits.enumeration
    assert enum is not None
    ids = path_ids(path) if enum.path_ids else []
    if params:
        ids += [f"{k}={v}" for k, v in params if k in enum.query_params and v]
    if not ids:
        return None
    identifier = limits.identifier
    ops, ran = enumeration_ops(ids, identifier.digest, enum.window, plan.enumeration,
                               identifier.run_offset)
    return (plan.enumeration_runs if ran else plan.enumeration_ids), ops


def after_response(ex: Exchange, route: CompiledRoute, holder: StoreHolder, status: int,
                   values: Mapping[str, set[str]] | None) -> Awaitable[None] | None:
    """Probing, then the exposure budget of the values this response shows in
    full (`values`, by entity: Exchange.revealed), in one round trip; the
    exposure budget may still refuse this response. Budgets are per role.
    Without an exposure check (the response shows nothing in full), the
    probing counts do not hold the response: on Redis they go off the
    response path, batched with the other requests of this event-loop tick;
    in memory they are counted at once. Either way a firing stops the
    client's next requests, not this response. As `before_request`: what the
    response must wait for, or None."""
    limits = ex.policy.limits
    identity = ex.caller.identity
    if limits is None or identity is None:
        return None
    plan = ex.limit_plan or plan_for(limits, identity, route.name, ex.method)
    probing = limits.probing
    checks: Sequence[Check] = ()
    ops: Sequence[Op] = ()
    if probing is not None:
        error = status in probing.statuses
        checks = plan.probing_error if error else plan.probing
        ops = plan.probing_error_ops if error else plan.probing_ops
    if limits.exposure is not None and values:
        exposed, counted = _exposure(limits, plan, ex.caller.role, values)
        if exposed:  # the response waits for the count: its budget may refuse it
            return _budget(ex, limits, holder, route, identity, [*checks, *exposed],
                           [*ops, *counted])
    if not checks:
        return None
    local = holder.local
    if local is not None:  # in this process: no round trip to save, no task to start
        results = local.observe_now(ops)
        # a response that is no error only counts (plan.probing never fires)
        if checks is not plan.probing and (firing := first_firing(checks, results)) is not None:
            return act_after(ex, limits, holder, route, identity, firing)
        return None

    if checks is plan.probing:  # no error: the counts go (added up), nothing can fire
        holder.batcher.count(ops)
        return None

    async def done(results: Sequence[Observed] | None) -> None:
        if results is not None and (firing := first_firing(checks, results)) is not None:
            await act_after(ex, limits, holder, route, identity, firing)

    holder.batcher.submit(ops, done)
    return None


async def _budget(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                  identity: Identity, checks: Sequence[Check], ops: Sequence[Op]) -> None:
    """The response's counts, exposure included, awaited: a firing budget refuses it."""
    results = await store_call(holder, "observe", route, lambda s, _: s.observe(ops))
    if (firing := first_firing(checks, results)) is not None:
        await act(ex, limits, holder, route, identity, firing)


def _exposure(limits: Limits, plan: ClientPlan, role: str, values: Mapping[str, set[str]]
              ) -> tuple[list[Check], list[Op]]:
    """A distinct count per entity the role has a budget for, per detector dimension."""
    exposure = limits.exposure
    assert exposure is not None
    checks: list[Check] = []
    ops: list[Op] = []
    for entity, found in values.items():
        budget = exposure.budget(role, entity)
        if budget is None or not found:
            continue
        members = limits.identifier.value_digests(entity, found)
        fires = over(budget)
        for d, tag in plan.count_tags:  # with the probing counts (plan.count_tag)
            checks.append(Check("exposure", d, fires, exposure.then, entity))
            ops.append(Op("distinct", f"pgw:ex:{tag}:{role}:{entity}", exposure.window, members))
    return checks, ops

