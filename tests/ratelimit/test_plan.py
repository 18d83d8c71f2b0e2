"""A client's plan (plan.py): here, where a response's counts are keyed.

The decision keys and their slot groups are tests/ratelimit/test_slots.py's;
the decisions made from plans, tests/ratelimit/test_remote.py's."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

from gateway.policy.compiled import CompiledPolicy
from gateway.proxy.ratelimit_stage import _exposure
from gateway.ratelimit.cluster_store import RedisClusterStore
from gateway.ratelimit.coalesce import Call
from gateway.ratelimit.identity import Identifier
from gateway.ratelimit.limits import Limits
from gateway.ratelimit.plan import COUNT_SHARDS, ClientPlan, count_tag, plan_for
from gateway.ratelimit.slots import slot_of
from tests.conftest import compiled, policy_text
from tests.redis_processes import RedisClusterProcesses

KEYS = Path(__file__).resolve().parents[2] / "keys"  # the development keys (conftest)
LIMITS = """
keys: {{store: "{keys}/keystore.json", master_key_file: "{keys}/master.key"}}
rate_limits:
  store: "{url}"
  detect_by: [subject, ip]
  limits:
    - {{name: per-client, dimensions: [subject, ip], rate: 20/s, burst: 40}}
  probing: {{window: 5m, min_requests: 20, max_error_ratio: 0.5}}
  exposure: {{window: 1d, budgets: {{CN_MOBILE: 300}}}}
"""


def _policy(url: str = "memory") -> CompiledPolicy:
    return compiled(policy_text("http://127.0.0.1:9") + LIMITS.format(url=url, keys=KEYS))


def _limits(url: str = "memory") -> Limits:
    limits = _policy(url).limits
    assert limits is not None
    return limits


def _plans(limits: Limits, n: int, subject: bool = False) -> list[ClientPlan]:
    """`n` clients, each address in a /24 of its own (a slot of its own)."""
    identifier: Identifier = limits.identifier
    return [plan_for(limits, identifier.identify(f"key-{i}" if subject else None, None,
                                                 f"10.{i // 250}.{i % 250}.7"),
                     "protected", "GET")
            for i in range(n)]


def test_the_counts_of_many_clients_fall_in_a_few_shared_slots() -> None:
    """3,000 clients in 3,000 slots: their probing counts in at most
    COUNT_SHARDS slots (a batched flush makes a call per slot on a cluster),
    every key still the client's own; the decision keys keep the client's
    slot."""
    plans = _plans(_limits(), 3000)
    counts = [op.key for plan in plans for op in plan.probing_ops]
    assert len(set(counts)) == len(counts) == 3000
    assert COUNT_SHARDS - 4 <= len({slot_of(k) for k in counts}) <= COUNT_SHARDS
    assert len({plan.slot for plan in plans}) > 2500  # decisions: a slot each, as before
    for plan in plans:
        (dimension, tag), = plan.tags
        assert plan.count_tags == ((dimension, count_tag(tag)),)
        assert {slot_of(b.key) for b in plan.buckets} == {plan.slot}
        assert all(tag in op.key for op in (*plan.probing_ops, *plan.probing_error_ops))


def test_a_count_tag_is_the_same_in_every_process() -> None:
    """Replicas must name a client's counts alike: the shard comes from a
    fixed checksum of the tag, not Python's per-process string hash; two
    policies compiled apart (two replicas) give a client the same keys."""
    assert count_tag("{5ad36307933891c0c48fefe0}2c7aff292d84235dfb5f1ea9") == (
        "{c26}{5ad36307933891c0c48fefe0}2c7aff292d84235dfb5f1ea9")
    one, other = _plans(_limits(), 50), _plans(_limits(), 50)
    assert [p.probing_ops for p in one] == [p.probing_ops for p in other]


def test_a_response_s_exposure_counts_go_with_its_probing_counts() -> None:
    """The exposure budget's counts and the probing counts of a revealing
    response are one store call: the same slot for each dimension."""
    limits = _limits()
    (plan,) = _plans(limits, 1, subject=True)
    checks, ops = _exposure(limits, plan, "anonymous", {"CN_MOBILE": {"13812345678"}})
    assert [c.dimension for c in checks] == [d for d, _ in plan.tags] == ["subject", "ip"]
    for op, probing in zip(ops, plan.probing_ops, strict=True):
        assert slot_of(op.key) == slot_of(probing.key)
    assert len({slot_of(op.key) for op in ops}) == 2  # a dimension each


async def test_a_flush_of_many_clients_counts_makes_a_call_per_shared_slot(
        redis_cluster: RedisClusterProcesses) -> None:
    """On a real Redis Cluster, the counts of 400 clients' responses (one
    batcher flush) go as at most COUNT_SHARDS script calls, where each
    client's own slot made one call per client; every count lands."""
    store = RedisClusterStore(redis_cluster.url, timeout=5.0)
    calls: list[int] = []
    send = store._decisions._send

    async def counted(lane: Hashable, batch: list[Call]) -> list[Any]:
        calls.append(len(batch))
        return await send(lane, batch)

    store._decisions._send = counted  # type: ignore[method-assign]
    try:
        plans = _plans(_limits(redis_cluster.url), 400)
        ops = [op for plan in plans for op in plan.probing_error_ops]
        results = await store.observe(ops)
        assert results == [{"all": 1, "error": 1}] * 400
        assert sum(calls) <= COUNT_SHARDS < 400
    finally:
        await store.close()
