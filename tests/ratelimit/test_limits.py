from __future__ import annotations

import pytest

from gateway.policy.ratelimits import RateLimitsModel, parse_rate
from gateway.ratelimit.limits import compile_limits


def model(**data: object) -> RateLimitsModel:
    return RateLimitsModel.model_validate(data)


def test_rates() -> None:
    assert parse_rate("20/s") == 20 and parse_rate("120/m") == 2 and parse_rate("36/h") == 0.01
    for bad in ("20", "0/s", "x/s", "5/w"):
        with pytest.raises(ValueError, match="rate such as"):
            parse_rate(bad)


def test_compile() -> None:
    assert compile_limits(model(), {"api"}, None) is None
    limits = compile_limits(model(limits=[{"name": "a", "rate": "10/s", "routes": ["api"],
                                           "methods": ["get"]}]), {"api"}, None)
    assert limits is not None
    (limit,) = limits.limits
    assert (limit.rate, limit.burst, limit.window) == (10.0, 10, 1.0)
    assert limits.for_route("api", "GET") and not limits.for_route("api", "POST")
    with pytest.raises(ValueError, match="unknown routes"):
        compile_limits(model(limits=[{"name": "a", "rate": "1/s", "routes": ["x"]}]), {"api"},
                       None)


def test_redis_needs_the_key_store_secret() -> None:
    with pytest.raises(ValueError, match="needs the key store"):
        compile_limits(model(store="redis://127.0.0.1:1/0", limits=[
            {"name": "a", "rate": "1/s"}]), set(), None)
    with pytest.raises(ValueError, match="memory, a redis"):
        model(store="http://x")
