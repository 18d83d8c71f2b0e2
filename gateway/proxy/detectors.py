"""What a firing detector does to the client, and the limiter's calls behind
the breaker.

A detector that fires (enumeration, paging, probing, an exposure budget, a
honeytoken) logs, counts, and as its policy says penalizes the client's
narrowest dimension (`throttle`, `strict`, `ban`: a penalty in the store
that every replica reads) and refuses the request (`reject`, `ban`). Every
call to the store goes through the breaker: while Redis is away a sensitive
route fails closed (503) and any other is decided by the local fallback.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import TypeVar

from gateway.errors import HoneytokenServed, LimiterUnavailable, RateLimited
from gateway.exchange import BudgetOverrun, DetectorFiring, Exchange
from gateway.obs.logging import get_logger
from gateway.obs.metrics import DETECTOR_FIRINGS, HONEYTOKENS
from gateway.policy.compiled import CompiledRoute
from gateway.policy.ratelimits import ActionModel
from gateway.ratelimit.breaker import StoreUnavailable
from gateway.ratelimit.checks import Check
from gateway.ratelimit.identity import Identity
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.limits import Limits
from gateway.ratelimit.store import LimitStore, Observed, Op

log = get_logger("gateway.ratelimit")
T = TypeVar("T")
ADDRESS_EVIDENCE = 3  # distinct offenders from one address before the address is penalized
_WIDTH = ("subject", "device", "ip", "net")  # narrowest first
_BOUNDED = frozenset({"decide", "observe"})  # the stores keep to the breaker's budget themselves


async def store_call(holder: StoreHolder, kind: str, route: CompiledRoute,
                     fn: Callable[[LimitStore, float], Awaitable[T]]) -> T:
    """fn(store, share) on Redis, or on the local fallback with its share."""
    breaker = holder.breaker
    if breaker is None:
        return await fn(holder.store, 1.0)
    try:
        return await breaker.call(lambda: fn(holder.store, 1.0), bounded=kind in _BOUNDED)
    except StoreUnavailable:
        return await fallback(holder, kind, route, fn)


async def fallback(holder: StoreHolder, kind: str, route: CompiledRoute,
                   fn: Callable[[LimitStore, float], Awaitable[T]]) -> T:
    """fn(fallback, share) for a call Redis did not answer: a sensitive route
    fails closed (503), any other is decided locally and counted."""
    if route.sensitive:
        raise LimiterUnavailable() from None
    assert holder.breaker is not None
    holder.breaker.note_degraded(kind)
    return await fn(holder.fallback, holder.share)


async def _targets(ex: Exchange, holder: StoreHolder, route: CompiledRoute,
                   identity: Identity, dimension: str, then: ActionModel) -> list[str]:
    """Where a penalty lands: on the narrowest dimension that names the client
    (subject, then device), whichever dimension's count fired. The address
    (ip) is penalized on address-level evidence only: requests that name no
    subject or device, or ADDRESS_EVIDENCE distinct subjects or devices
    penalized from it within the penalty's duration. Neighbours behind one NAT
    keep their access."""
    narrow = ex.caller.narrowest()
    if narrow is None:
        return [dimension]
    target = narrow if _WIDTH.index(dimension) > _WIDTH.index(narrow) else dimension
    address, offender = identity.tag("ip"), identity.tag(target)
    if address is None or offender is None or target in ("ip", "net"):
        return [target]
    op = Op("distinct", f"pgw:off:{address}", max(then.duration, 60.0), (offender,))
    (seen,) = await store_call(holder, "observe", route, lambda s, _: s.observe([op]))
    return [target, "ip"] if isinstance(seen, int) and seen >= ADDRESS_EVIDENCE else [target]


async def _penalize(holder: StoreHolder, route: CompiledRoute, key: str, value: str,
                    reason: str, duration: float) -> None:
    await store_call(holder, "penalize", route,
                     lambda s, _: s.penalize(key, value, reason, duration))


async def fire(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
               identity: Identity, detector: str, dimension: str, then: ActionModel) -> None:
    action = then.action
    targets = [dimension]
    if action in ("throttle", "strict", "ban"):
        targets = await _targets(ex, holder, route, identity, dimension, then)
        dimension = targets[0]
    DETECTOR_FIRINGS.labels(detector=detector, action=action).inc()
    ex.limits.append(DetectorFiring(detector, dimension, action))
    log.warning("scraping_detected", detector=detector, action=action, dimension=dimension,
                route=route.name, duration_s=then.duration)
    if action in ("throttle", "strict", "ban"):
        value = f"{action}:{then.factor}" if action == "throttle" else action
        for target in targets:
            await _penalize(holder, route, f"pgw:pen:{identity.tag(target)}", value,
                            f"{detector}:{target}", then.duration)
    if action == "strict":
        ex.caller.role = limits.strict_role
    if action in ("reject", "ban"):
        retry = str(math.ceil(then.duration if action == "ban" else 1))
        raise RateLimited(f"scraping_{detector}", f"requests stopped by the {detector} detector",
                          {"Retry-After": retry})


def first_firing(checks: Sequence[Check], results: Sequence[Observed]
                 ) -> tuple[Check, Observed] | None:
    """The first check whose result fires (only then is there anything to await)."""
    for check, result in zip(checks, results, strict=True):
        if check.fires(result):
            return check, result
    return None


async def act(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
              identity: Identity, firing: tuple[Check, Observed]) -> None:
    check, result = firing
    if check.entity is not None:
        ex.limits.append(BudgetOverrun(check.entity, result))
    await fire(ex, limits, holder, route, identity, check.detector, check.dimension, check.then)


async def act_after(ex: Exchange, limits: Limits, holder: StoreHolder, route: CompiledRoute,
                    identity: Identity, firing: tuple[Check, Observed]) -> None:
    """A probing firing: the response goes out (or has gone); the penalty stays
    and stops the client's next requests."""
    with suppress(RateLimited):
        await act(ex, limits, holder, route, identity, firing)


async def honeytoken_served(ex: Exchange, route: CompiledRoute, holder: StoreHolder) -> None:
    """A response carried a honeytoken: count it, ban the client (on its
    narrowest dimension, as the policy's `honeytokens.then` says) when the
    policy limits, and refuse the response. Never returns."""
    honeytokens = ex.policy.honeytokens
    assert honeytokens is not None
    assert ex.honeytoken is not None
    HONEYTOKENS.labels(route=route.name).inc()
    log.warning("honeytoken_served", route=route.name, entity=ex.honeytoken)
    limits, identity = ex.policy.limits, ex.caller.identity
    then = honeytokens.then
    if limits is not None and identity is not None and then.action in ("throttle", "strict",
                                                                        "ban"):
        value = f"{then.action}:{then.factor}" if then.action == "throttle" else then.action
        dimension = ex.caller.narrowest() or ("ip" if "ip" in identity.keys else None)
        if dimension is not None:
            await _penalize(holder, route, f"pgw:pen:{identity.tag(dimension)}", value,
                            f"honeytoken:{dimension}", then.duration)
            ex.limits.append(DetectorFiring("honeytoken", dimension, then.action))
    raise HoneytokenServed()
