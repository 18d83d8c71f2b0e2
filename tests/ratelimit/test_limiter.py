from __future__ import annotations

from gateway.policy.ratelimits import RateLimitsModel
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.limits import compile_limits
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
