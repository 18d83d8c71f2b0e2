"""The Redis store's own parts: the decision reply's layout, and the
commands beside the decision script (penalize, list and lift penalties) on a
connection Redis or the network dropped while it sat idle in the pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from gateway.ratelimit.redis_store import RedisStore, split
from tests.redis_processes import RedisProcess

REPLIES: list[tuple[list[Any], tuple[list[Any], list[Any], list[Any]]]] = [
    # admitted, no ops, two buckets
    ([1, "0", -1, "", "0", 0, 0, 39, 399], ([1, "0", -1, "", "0", 0], [], [39, 399])),
    # admitted with two ops' results (a distinct count and a counter hash)
    ([1, "0", -1, "", "0", 0, 2, 5, ["all", "3"], 7],
     ([1, "0", -1, "", "0", 0], [5, ["all", "3"]], [7])),
    # refused by bucket 1: results, no remaining
    ([0, "0.05", 1, "", "0", 0, 1, 2], ([0, "0.05", 1, "", "0", 0], [2], [])),
    # banned: the penalty and its TTL, nothing else
    ([0, "899.5", -1, "ban", "899.5", 0, 0], ([0, "899.5", -1, "ban", "899.5", 0], [], [])),
    # updates alone (no buckets, no penalty keys)
    ([1, "0", -1, "", "0", 0, 1, ["500", "2"]], ([1, "0", -1, "", "0", 0], [["500", "2"]], [])),
]


@pytest.mark.parametrize(("reply", "parts"), REPLIES)
def test_a_decision_reply_splits_into_head_results_and_remaining(
        reply: list[Any], parts: tuple[list[Any], list[Any], list[Any]]) -> None:
    assert split(reply) == parts


async def _drop_idle_connection(store: RedisStore, url: str) -> None:
    """What a Redis `timeout`, a restart or a middlebox does to a pool's idle
    connection: it is closed behind the pool's back."""
    idle = await store.redis.client_id()  # the pool's one connection, idle again after
    admin = Redis.from_url(url)
    try:
        assert await admin.client_kill_filter(_id=idle) == 1
    finally:
        await admin.aclose()


async def test_penalties_are_set_listed_and_lifted_on_a_dropped_idle_connection(
        redis_server: RedisProcess) -> None:
    store = RedisStore(redis_server.url, timeout=1.0)
    key = "pgw:pen:{dropped}"
    try:
        await store.penalize(key, "ban", "enumeration:ip", 60)
        await _drop_idle_connection(store, redis_server.url)
        await store.penalize(key, "ban", "enumeration:ip", 120)  # not lost: a ban must land
        assert 100 < await store.redis.pttl(key) / 1000 <= 120
        await _drop_idle_connection(store, redis_server.url)
        assert [p.key for p in await store.penalties()] == [key]
        await _drop_idle_connection(store, redis_server.url)
        assert await store.lift(key)
    finally:
        await store.close()


async def test_a_penalty_after_redis_restarts_lands_on_the_first_try(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path).start()
    store = RedisStore(redis.url, timeout=1.0)
    try:
        await store.penalize("pgw:pen:{before}", "ban", "enumeration:ip", 60)
        redis.stop()
        redis.start()
        await store.penalize("pgw:pen:{after}", "ban", "enumeration:ip", 60)
        assert [p.key for p in await store.penalties()] == ["pgw:pen:{after}"]
    finally:
        await store.close()
        redis.stop()
