from __future__ import annotations

import pytest

from gateway.policy.ratelimits import RateLimitsModel, parse_rate
from gateway.ratelimit.limits import CompiledLimit, compile_limits


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


def test_rate_limit_headers() -> None:
    limit = CompiledLimit("per-client", None, None, ("subject",), 20.0, 40, 0, 2.0)
    admitted = limit.headers(30)
    assert admitted == {"RateLimit-Policy": '"per-client";q=40;w=2',
                        "RateLimit": '"per-client";r=30;t=1'}  # 10 used, refilled in 0.5 s
    assert limit.headers(30) is admitted  # an admitted request's are made once
    assert limit.headers(0, 2.5)["RateLimit"] == '"per-client";r=0;t=3'  # refused: retry
    assert limit.headers(0, 2.5) is not limit.headers(0, 2.5)
