"""What a detector update's result means: the test that makes it fire, and
what follows (plan.py builds a client's checks once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from gateway.policy.ratelimits import ActionModel
from gateway.ratelimit.store import Observed


class Check(NamedTuple):
    """What one detector update's result means: the test that makes it fire
    and what follows. The update itself (an Op) travels beside it, in a list
    of the same order: a client's checks are built once, in its plan, and a
    request makes only the ops whose members it brings."""

    detector: str
    dimension: str
    fires: Callable[[Observed], bool]
    then: ActionModel
    entity: str | None = None


def over(limit: int) -> Callable[[Observed], bool]:
    return lambda seen: isinstance(seen, int) and seen > limit


def at_least(limit: int) -> Callable[[Observed], bool]:
    return lambda seen: isinstance(seen, int) and seen >= limit
