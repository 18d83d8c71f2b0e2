from __future__ import annotations

import asyncio

from gateway.policy.ratelimits import RateLimitsModel
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.limits import Limits, compile_limits
from gateway.ratelimit.memory import MemoryStore
from gateway.ratelimit.redis_store import RedisStore


def model(**data: object) -> RateLimitsModel:
    return RateLimitsModel.model_validate(data)


async def test_the_store_outlives_reloads() -> None:
    holder = StoreHolder()
    first = compile_limits(model(limits=[{"name": "a", "rate": "1/s"}]), set(), None)
    holder.sync(first)
    store = holder.store
    assert isinstance(store, MemoryStore)
    holder.sync(compile_limits(model(limits=[{"name": "b", "rate": "2/s"}]), set(), None))
    assert holder.store is store
    holder.sync(compile_limits(model(store="redis://127.0.0.1:1/0",
                                     limits=[{"name": "a", "rate": "1/s"}]),
                               set(), b"k" * 32))
    assert isinstance(holder.store, RedisStore) and holder.breaker is not None
    await holder.close()


async def test_a_reload_that_changes_redis_settings_takes_effect() -> None:
    def limits(**redis: object) -> Limits | None:
        return compile_limits(model(store="redis://127.0.0.1:1/0", redis=redis,
                                    limits=[{"name": "a", "rate": "1/s"}]), set(), b"k" * 32)

    holder = StoreHolder()
    holder.sync(limits(timeout="50ms", failures=3))
    store, breaker = holder.store, holder.breaker
    holder.sync(limits(timeout="50ms", failures=3))
    assert holder.store is store and holder.breaker is breaker  # nothing changed: kept
    holder.sync(limits(timeout="200ms", failures=3))
    assert holder.breaker is not breaker and holder.breaker is not None
    assert holder.breaker.timeout == 0.2 and holder.store is not store
    holder.sync(limits(timeout="200ms", failures=5, reset="2s"))
    assert holder.breaker is not None
    assert holder.breaker.failures == 5 and holder.breaker.reset == 2.0
    await holder.close()


class _Closing(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    async def close(self) -> None:
        self.closed += 1


async def test_a_replaced_store_is_closed_after_the_delay_or_with_the_holder() -> None:
    holder = StoreHolder()
    first, second = _Closing(), _Closing()
    holder.sync(compile_limits(model(store="redis://127.0.0.1:1/0",
                                     limits=[{"name": "a", "rate": "1/s"}]), set(), b"k" * 32))
    await holder.store.close()
    holder.store = first  # as if the Redis store: what the next reload replaces
    holder.sync(compile_limits(model(limits=[{"name": "a", "rate": "1/s"}]), set(), None),
                retire_after=0.05)
    assert first.closed == 0  # the calls still on it finish first
    await asyncio.sleep(0.1)
    assert first.closed == 1
    holder.store = second
    holder.sync(compile_limits(model(store="redis://127.0.0.1:1/0",
                                     limits=[{"name": "a", "rate": "1/s"}]), set(), b"k" * 32),
                retire_after=60)
    await holder.close()  # shutdown does not wait for the delay
    assert second.closed == 1 and first.closed == 1
