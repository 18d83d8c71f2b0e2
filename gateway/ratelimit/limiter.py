"""The compiled `rate_limits:` section, and the store that outlives reloads.

`Limits` is built once per policy load (immutable). The store is process
state: `StoreHolder` keeps one per store URL, so a reload does not reset the
counters, and closes it when the policy stops using it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from gateway.policy.ratelimits import (
    EnumerationModel,
    ExposureModel,
    PagingModel,
    ProbingModel,
    RateLimitsModel,
    parse_rate,
)
from gateway.ratelimit.breaker import Breaker
from gateway.ratelimit.identity import Identifier
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.store import LimitStore, MemoryStore


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

    def for_route(self, route: str, method: str) -> tuple[CompiledLimit, ...]:
        return tuple(limit for limit in self.limits if limit.applies(route, method))


def compile_limits(model: RateLimitsModel, routes: set[str], secret: bytes | None
                   ) -> Limits | None:
    """None when the section is empty; ValueError on problems."""
    if not model.enabled:
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


class StoreHolder:
    """The process's store for the policy in force, with its breaker and a
    local fallback (used while Redis is unavailable)."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.store: LimitStore = MemoryStore()
        self.fallback = MemoryStore()
        self.breaker: Breaker | None = None
        self.share = 1.0  # of each limit the local fallback grants
        self._retired: list[LimitStore] = []

    def sync(self, limits: Limits | None) -> None:
        if limits is not None:
            self.share = limits.fallback_share
        url = limits.store_url if limits is not None else None
        if url == self.url:
            return
        self._retired.append(self.store)
        self.url = url
        if url is None or url == "memory":
            self.store, self.breaker = MemoryStore(), None
        else:
            assert limits is not None
            self.store = RedisStore(url, limits.redis_timeout)
            self.breaker = Breaker(limits.redis_timeout, limits.redis_failures,
                                   limits.redis_reset)

    async def close(self) -> None:
        for store in (*self._retired, self.store):
            await store.close()
        self._retired.clear()

