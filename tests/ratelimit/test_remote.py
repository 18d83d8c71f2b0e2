"""A request's decision on one Redis in one script call (gateway/ratelimit/
remote.py): the native core's RemoteDecisions against the reference, and the
stage's one-call Redis path against its general path on a real Redis,
Redis going away included."""

from __future__ import annotations

import dataclasses
import random
import secrets
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.errors import LimiterUnavailable, RateLimited
from gateway.exchange import Exchange
from gateway.native import STATUS, core
from gateway.policy.compiled import CompiledPolicy
from gateway.proxy.caller import resolve_caller
from gateway.proxy.ratelimit_stage import before_request
from gateway.ratelimit import remote
from gateway.ratelimit.admission import ClientLimits
from gateway.ratelimit.cluster_store import RedisClusterStore
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.slots import slot_groups
from gateway.ratelimit.store import DAY_OFFSET, Bucket, Verdict
from tests.conftest import caller_at, compiled, policy_text
from tests.ratelimit.test_admission import IDS, RUNS, random_client, random_path
from tests.redis_processes import RedisClusterProcesses, RedisProcess

needs_core = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")


def _twins(seed: int) -> tuple[ClientLimits, ClientLimits]:
    """One random client plan, as the core's ClientLimits and the reference's."""
    assert core is not None
    return (random_client(random.Random(seed), core.ClientLimits),
            random_client(random.Random(seed), ClientLimits))


@needs_core
@pytest.mark.parametrize("seed", range(30))
def test_the_core_makes_the_decision_as_the_reference(seed: int) -> None:
    """The same keys, the same arguments down to their JSON (what Redis
    reads), the same checks; each client's fixed part is built once and
    reused, so every client is asked many times."""
    assert core is not None
    native, reference = _twins(seed)
    made = core.RemoteDecisions(Verdict, DAY_OFFSET)
    rng = random.Random(seed)
    for _ in range(200):
        path = random_path(rng).encode("ascii", "ignore").decode()
        got, want = made.script(native, path), remote.script(reference, path)
        assert got is not None and want is not None
        assert got[0] == want[0]
        assert orjson.dumps(got[1]) == orjson.dumps(want[1])
        assert got[2] == want[2]


@needs_core
def test_the_core_hands_a_path_that_is_not_ascii_back() -> None:
    """`\\d` finds Arabic-Indic and full-width digits: the reference decides."""
    assert core is not None
    c = core.ClientLimits((), (), (("pgw:en:{a}:r", "pgw:sr:{a}:r"),),
                          random_client(random.Random(0), ClientLimits).digest, True, 60.0,
                          5, 3, 0, IDS, RUNS)
    made = core.RemoteDecisions(Verdict, DAY_OFFSET)
    assert made.script(c, "/借款/1") is None
    assert made.script(c, "/loans/١٢") is None
    assert made.script(c, "/loans/1") is not None


def _reply(rng: random.Random, c: ClientLimits, checks: tuple[str, ...]) -> list[Any]:
    """A decision script's reply for `c` as lua.DECIDE writes it: admitted,
    refused by a bucket or a quota, or banned; the ops' counts as integers."""
    return _reply_of(rng, c, 0 if not checks else len(c.enumeration) * (2 if checks is RUNS
                                                                          else 1))


def _reply_of(rng: random.Random, c: Any, ops: int) -> list[Any]:
    """`_reply` with `ops` results (waits to a tenth of a second, some moved
    by less or more than slots.TIE: ties and near ties between slot groups
    happen)."""
    seen: list[Any] = [rng.randint(0, 9) for _ in range(ops)]
    penalty = rng.choice(["", "", "", "strict", "throttle", "ban"])
    ttl = str(round(rng.uniform(0, 900), 3)) if penalty else "0"
    n = len(c.buckets)
    if penalty == "ban":
        return [0, ttl, -1, penalty, ttl, 0, ops, *seen]
    if n and rng.random() < 0.3:
        wait = round(rng.uniform(0, 2), 1) + rng.choice([0.0, 0.0, 0.4, -0.4, 1.5])
        return [0, str(max(0.0, wait)), rng.randrange(n), penalty, ttl,
                rng.choice([0, 1]), ops, *seen]
    return [1, "0", -1, penalty, ttl, 0, ops, *seen, *(rng.randint(0, 30) for _ in range(n))]


@needs_core
@pytest.mark.parametrize("seed", range(30))
def test_the_core_reads_a_reply_as_the_reference(seed: int) -> None:
    assert core is not None
    native, reference = _twins(seed)
    made = core.RemoteDecisions(Verdict, DAY_OFFSET)
    rng = random.Random(seed)
    for _ in range(200):
        checks = rng.choice([(), IDS, RUNS]) if reference.enumeration else ()
        reply = _reply(rng, reference, checks)
        assert made.answered(reply, native, checks) == remote.answered(reply, reference, checks)


@needs_core
@pytest.mark.parametrize("reply", [
    [1, "0", -1, "", "0"],  # shorter than its head
    [1, "0", -1, "", "0", 0, 3, 1, 2],  # names three results, holds two
    [1, "0", -1, "", "0", 0, -1],  # a negative count
    [1, "0", -1, "", "0", 0, 1, ["all", 1, "error"]],  # a counter's field without its value
])
def test_a_malformed_reply_is_an_error_in_both_never_a_read_past_its_end(
        reply: list[Any]) -> None:
    """The core reads without bounds checks: a reply that is not what the
    script writes (another script under its name, a proxy in the way) is an
    error, as in the reference, not a crash or a wrong answer."""
    assert core is not None
    native, reference = _twins(0)
    made = core.RemoteDecisions(Verdict, DAY_OFFSET)
    with pytest.raises((ValueError, IndexError)):
        made.answered(reply, native, ())
    with pytest.raises((ValueError, IndexError)):
        remote.answered(reply, reference, ())


def _slot_twins(rng: random.Random) -> tuple[Any, Any]:
    """A random client whose dimensions have a hash tag each (a slot group
    each, two when their tags share a slot), as (groups, whole) twice: with
    the core's ClientLimits and with the reference's; each dimension's checks
    a stand-in of its own."""
    assert core is not None
    dims = [f"{{{rng.getrandbits(32):08x}}}" for _ in range(rng.randint(1, 4))]
    buckets = tuple(Bucket(f"pgw:rl:{d}:r", 20.0, 10, 0)
                    for d in dims if rng.random() < 0.8)
    penalties = tuple(f"pgw:pen:{d}" for d in dims)
    enumeration = tuple((f"pgw:en:{d}:r", f"pgw:sr:{d}:r") for d in dims if rng.random() < 0.8)
    ids = tuple(f"ids-{i}" for i in range(len(enumeration)))
    runs = tuple(f"{kind}-{i}" for i in range(len(enumeration)) for kind in ("ids", "run"))
    max_ids, run_at = rng.randint(1, 9), rng.randint(2, 6)
    out = []
    for make in (core.ClientLimits, ClientLimits):
        def limits_of(b: Any, p: Any, e: Any, i: Any, r: Any, make: Any = make) -> Any:
            return make(b, p, e, None, True, 600.0, max_ids, run_at, 0, i, r)
        out.append((slot_groups(buckets, penalties, enumeration, ids, runs, limits_of),
                    limits_of(buckets, penalties, enumeration, ids, runs)))
    return out[0], out[1]


def _group_reply(rng: random.Random, c: Any, checks: tuple[str, ...], ran: bool) -> list[Any]:
    """A slot group's reply as lua.DECIDE writes it (see `_reply`)."""
    return _reply_of(rng, c, 0 if not checks else len(c.enumeration) * (2 if ran else 1))


@needs_core
@pytest.mark.parametrize("seed", range(40))
def test_the_core_puts_slot_group_replies_together_as_the_reference(seed: int) -> None:
    """A keyed client on Redis Cluster: its groups' replies (admitted,
    refused with equal or longer waits, penalties of every strength on a
    tie, ids seen or a run) read into one answer, by the core in one pass
    and by the reference (each group's `answered`, then `slots.decided`);
    a reply with a result or a bucket's count missing is an error in both."""
    assert core is not None
    rng = random.Random(seed)
    (groups, whole), (ref_groups, ref_whole) = _slot_twins(rng)
    made = core.RemoteDecisions(Verdict, DAY_OFFSET)
    for _ in range(200):
        kind = rng.choice(["none", "ids", "run"])
        ran = kind == "run"
        replies, checks, ref_checks = [], [], []
        for g, ref in zip(groups, ref_groups, strict=True):
            saw = kind != "none" and bool(ref.limits.enumeration)
            checks.append((g.limits.run_checks if ran else g.limits.ids_checks) if saw else ())
            ref_checks.append((ref.limits.run_checks if ran else ref.limits.ids_checks)
                              if saw else ())
            replies.append(_group_reply(rng, ref.limits, ref_checks[-1], ran))
        got = made.decided(replies, groups, tuple(checks), whole)
        assert got == remote.decided(replies, ref_groups, tuple(ref_checks), ref_whole)
        longer = [i for i, r in enumerate(replies) if len(r) > 7]
        if longer:  # a result or a bucket's count missing: an error, never a wrong answer
            broken = [r[:-1] if i == longer[0] else r for i, r in enumerate(replies)]
            with pytest.raises((ValueError, IndexError)):
                made.decided(broken, groups, tuple(checks), whole)
            with pytest.raises((ValueError, IndexError)):
                remote.decided(broken, ref_groups, tuple(ref_checks), ref_whole)


KEYS = Path(__file__).resolve().parents[2] / "keys"  # the development keys (conftest)
LIMITS = """
keys: {{store: "{keys}/keystore.json", master_key_file: "{keys}/master.key"}}
actions:
  roles: {{api_keys: {{header: X-Api-Key, salt: test-salt-0001}}}}
rate_limits:
  store: "{url}"
  redis: {{timeout: {timeout}, failures: 2, reset: 30s, fallback_share: 0.5}}
  detect_by: [subject, ip]
  limits:
    - {{name: per-client, dimensions: [subject, ip], rate: 8/d, burst: 10}}
  enumeration: {{window: 10m, max_ids: 8, sequential_run: 4, then: {{action: ban, duration: 1m}}}}
"""


@pytest.fixture(params=["redis", "cluster"])
def shared_store(request: pytest.FixtureRequest, redis_server: RedisProcess,
                 redis_cluster: RedisClusterProcesses) -> str:
    return redis_server.url if request.param == "redis" else redis_cluster.url


def _policy(url: str, timeout: str = "500ms") -> CompiledPolicy:
    return compiled(policy_text("http://127.0.0.1:9")
                    + LIMITS.format(url=url, keys=KEYS, timeout=timeout))


async def _outcome(policy: CompiledPolicy, holder: StoreHolder, path: str, key: str,
                   client: str = "10.0.0.1", query: str = "") -> tuple[object, ...]:
    """What one request's decision shows: the refusal's code and headers (the
    seconds to wait, which move with Redis's clock, apart), the access line's
    decisions, the RateLimit headers and the role."""
    ex = Exchange("rid", policy, caller_at(client), "GET")
    ex.route = policy.routes[0]
    resolve_caller(ex.caller, {"X-Api-Key": key} if key else {}, policy, ex.route)
    refused: object = None
    try:
        waiting = before_request(ex, ex.route, holder, path, query)
        if waiting is not None:
            await waiting
    except RateLimited as exc:
        refused = (exc.code, sorted(exc.headers))
    return refused, ex.limits, ex.rate_headers, ex.caller.role


def _counting_decides(store: RedisStore) -> list[int]:
    """How often the store's general `decide` runs a request's decision (not
    `observe`'s, which is a decision without buckets or penalty keys)."""
    calls = [0]
    decide = store.decide

    async def counted(*args: Any) -> Verdict:
        calls[0] += bool(args[0] or args[1])
        return await decide(*args)

    store.decide = counted  # type: ignore[method-assign]
    return calls


def _counting_refunds(store: RedisStore) -> list[int]:
    """How often a cluster store refunded slot groups that admitted a request
    another group refused (`RedisClusterStore.refund`)."""
    calls = [0]
    if not isinstance(store, RedisClusterStore):
        return calls
    refund = store.refund

    async def counted(admitted: Any) -> None:
        calls[0] += any(admitted)
        await refund(admitted)

    store.refund = counted  # type: ignore[method-assign]
    return calls


@pytest.mark.parametrize("seed", range(2))
async def test_one_script_call_decides_as_the_general_path(
        shared_store: str, seed: int) -> None:
    """Two gateways' stores on one real Redis (or Redis Cluster), for
    clients of their own: requests without a query go as one script call from
    the plan; the same requests with a query that names no id or page
    (`utm=x`) take the general path. The same refusals, firings (the
    enumeration ban), decisions and headers, request after request. The
    one-call store ran `decide` only where it must: on a cluster, for its
    first request, which reads the slot map. A client with an API key has
    its subject's and its address's keys in two slot groups there, decided
    by a call each and refunded when the other refused, as the general path
    does (both stores refunded)."""
    # a generous timeout: this test compares the two paths' answers, not how a
    # late one falls back (a decision made without Redis fails it, named)
    policy = _policy(shared_store, timeout="5s")
    one, general = StoreHolder(), StoreHolder()
    one.sync(policy.limits)
    general.sync(policy.limits)
    assert isinstance(one.store, RedisStore) and isinstance(general.store, RedisStore)
    degraded: list[str] = []
    for holder in (one, general):
        assert holder.breaker is not None
        holder.breaker.on_degraded = degraded.append
    one_decides, general_decides = _counting_decides(one.store), _counting_decides(general.store)
    one_refunds, general_refunds = _counting_refunds(one.store), _counting_refunds(general.store)
    rng = random.Random(seed)
    # clients no earlier test in this Redis has seen: the seed's own /16s, and
    # a /24 of this run's choosing
    fresh = secrets.randbelow(250)
    seen: set[str] = set()  # the kinds of outcome met
    try:
        for _ in range(120):
            path = rng.choice(["/protected/x", "/protected/loans/{n}", "/protected/{n}/a/{m}",
                               "/protected/b/123e4567-e89b-12d3-a456-42661417400{m}"]).format(
                n=rng.randint(1, 7), m=rng.randint(0, 3))
            key, host = rng.choice(["k1", "k2", "k3", ""]), rng.randint(1, 4)
            outcome = await _outcome(policy, one, path,
                                     f"one-{seed}-{fresh}-{key}" if key else "",
                                     f"10.{10 + 2 * seed}.{fresh}.{host}")
            assert outcome == await _outcome(policy, general, path,
                                             f"general-{seed}-{fresh}-{key}" if key else "",
                                             f"10.{11 + 2 * seed}.{fresh}.{host}", "utm=x"), (
                f"{len(degraded)} decisions made without Redis")
            seen.add(str(outcome[0] and outcome[0][0]))  # type: ignore[index]
        assert not degraded, f"{len(degraded)} decisions made without Redis"
        if shared_store.startswith("redis+cluster://"):  # the first decide reads the slot map
            assert one_decides == [1]
            assert one_refunds[0] > 0 and general_refunds[0] > 0
        else:
            assert one_decides == [0]
        assert general_decides == [120]
        assert seen >= {"None", "rate_limited", "scraping_enumeration", "client_banned"}, seen
    finally:
        await one.close()
        await general.close()


async def test_a_redis_that_does_not_answer_falls_back_as_the_general_path() -> None:
    """Nothing listens on the store's port: the one-call path's failures count
    in the breaker as `Breaker.call`'s do; the request is decided locally
    (counted as degraded) on an ordinary route and refused with 503 on a
    sensitive one; once the breaker opens the stage stops trying Redis."""
    policy = _policy("redis://127.0.0.1:9/0")
    holder = StoreHolder()
    holder.sync(policy.limits)
    breaker = holder.breaker
    assert breaker is not None
    degraded: list[str] = []
    breaker.on_degraded = degraded.append
    try:
        assert holder.remote is not None
        refused, decisions, headers, _ = await _outcome(policy, holder, "/protected/loans/1", "k1")
        assert refused is None and headers is not None and decisions
        assert degraded == ["decide"] and not breaker.open
        ex = Exchange("rid", policy, caller_at("10.0.0.1"), "GET")
        sensitive = dataclasses.replace(policy.routes[0], sensitive=True)
        ex.route = sensitive
        resolve_caller(ex.caller, {"X-Api-Key": "k1"}, policy, sensitive)
        waiting = before_request(ex, sensitive, holder, "/protected/loans/2", "")
        assert waiting is not None
        with pytest.raises(LimiterUnavailable):
            await waiting
        assert breaker.open and holder.remote is None  # two failures: open
        assert degraded == ["decide"]  # the refusal was no local decision
    finally:
        await holder.close()
