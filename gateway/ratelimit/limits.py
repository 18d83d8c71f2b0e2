"""The compiled `rate_limits:` section: built once per policy load, immutable.
The store it names is process state, held by `limiter.StoreHolder`."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field

from gateway.policy.ratelimits import (
    EnumerationModel,
    ExposureModel,
    PagingModel,
    ProbingModel,
    RateLimitsModel,
    parse_rate,
)
from gateway.ratelimit.identity import Identifier

_SHARED = 4096  # headers kept per limit


@dataclass(frozen=True, slots=True)
class CompiledLimit:
    name: str
    routes: frozenset[str] | None
    methods: frozenset[str] | None
    dimensions: tuple[str, ...]
    rate: float  # per second
    burst: int
    quota: int
    window: float  # for the RateLimit-Policy header: seconds the burst refills in
    policy_header: str = field(init=False, repr=False, compare=False)
    # an admitted request's headers by remaining count, made once (at most _SHARED)
    _shared: dict[int, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy_header",
                           f'"{self.name}";q={self.burst};w={max(1, round(self.window))}')
        object.__setattr__(self, "_shared", {})

    def headers(self, remaining: int, retry: float = 0.0) -> dict[str, str]:
        """RateLimit-Policy and RateLimit, for `remaining` requests left and
        `retry` seconds to wait (0: admitted). An admitted request's are
        shared between requests: read them, never change them."""
        if retry > 0:
            return self._headers(remaining, retry)
        found = self._shared.get(remaining)
        if found is None:
            found = self._headers(remaining, 0.0)
            if len(self._shared) < _SHARED:
                self._shared[remaining] = found
        return found

    def _headers(self, remaining: int, retry: float) -> dict[str, str]:
        reset = retry if retry > 0 else (self.burst - remaining) / self.rate
        return {"RateLimit-Policy": self.policy_header,
                "RateLimit": f'"{self.name}";r={remaining};t={math.ceil(reset)}'}

    def applies(self, route: str, method: str) -> bool:
        return ((self.routes is None or route in self.routes)
                and (self.methods is None or method in self.methods))


@dataclass(frozen=True, slots=True)
class Limits:
    store_url: str
    redis_timeout: float
    redis_failures: int
    redis_reset: float
    fallback_share: float
    identifier: Identifier
    detect_by: tuple[str, ...]
    strict_role: str
    limits: tuple[CompiledLimit, ...]
    enumeration: EnumerationModel | None
    exposure: ExposureModel | None
    probing: ProbingModel | None
    paging: PagingModel | None
    # methods some limit names: any other method gets the same limits as every
    # other one, so a client's plans are kept per named method (plan.py)
    named_methods: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "named_methods", frozenset(
            m for limit in self.limits for m in limit.methods or ()))

    def for_route(self, route: str, method: str) -> tuple[CompiledLimit, ...]:
        return tuple(limit for limit in self.limits if limit.applies(route, method))


def compile_limits(model: RateLimitsModel, routes: set[str], secret: bytes | None,
                   needed: bool = False) -> Limits | None:
    """None when the section is empty (and nothing else needs client keys and
    penalties: honeytokens do); ValueError on problems."""
    if not model.enabled and not needed:
        return None
    if secret is None:
        if model.store != "memory":
            raise ValueError("a Redis store needs the key store (`keys:`): its hmac key makes "
                             "client keys agree across replicas")
        secret = secrets.token_bytes(32)
    compiled = []
    for limit in model.limits:
        unknown = sorted(set(limit.routes or ()) - routes)
        if unknown:
            raise ValueError(f"limit {limit.name}: unknown routes {unknown}")
        rate = parse_rate(limit.rate)
        burst = limit.burst or max(1, round(rate))
        compiled.append(CompiledLimit(
            limit.name, frozenset(limit.routes) if limit.routes is not None else None,
            frozenset(m.upper() for m in limit.methods) if limit.methods else None,
            limit.dimensions, rate, burst, limit.daily_quota or 0, burst / rate))
    return Limits(model.store, model.redis.timeout, model.redis.failures, model.redis.reset,
                  model.redis.fallback_share,
                  Identifier(secret, model.device_header), model.detect_by,
                  model.strict_role, tuple(compiled), model.enumeration, model.exposure,
                  model.probing, model.paging)
