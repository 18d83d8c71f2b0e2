from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.policy.ratelimits import RateLimitsModel


def test_defaults_are_off() -> None:
    assert not RateLimitsModel().enabled
    assert RateLimitsModel.model_validate({"probing": {}}).enabled


@pytest.mark.parametrize(("data", "message"), [
    ({"limits": [{"name": "a", "rate": "fast"}]}, "rate such as"),
    ({"limits": [{"name": "a", "rate": "1/s"}, {"name": "a", "rate": "2/s"}]}, "unique"),
    ({"limits": [{"name": "a", "rate": "1/s", "dimensions": ["phone"]}]}, "dimensions"),
    ({"exposure": {"budgets": {"CN_MOBILE": 0}}}, "positive"),
    ({"probing": {"then": {"action": "shout"}}}, "action"),
    ({"store": "memcached://x"}, "memory, a redis"),
])
def test_bad_sections_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RateLimitsModel.model_validate(data)
