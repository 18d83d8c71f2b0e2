"""The rate-limit stage on its own: an Exchange, a compiled policy and the
memory store, no server (the end-to-end tests are tests/integration/test_scraping.py
and tests/ratelimit/test_redis_gateway.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Mapping

import pytest

from gateway.errors import PageSizeTooLarge, RateLimited
from gateway.exchange import DetectorFiring, Exchange, LimitDecision
from gateway.policy.compiled import CompiledPolicy
from gateway.proxy.caller import resolve_caller
from gateway.proxy.ratelimit_stage import after_response, before_request
from gateway.ratelimit.breaker import Breaker
from gateway.ratelimit.limiter import StoreHolder
from tests.conftest import caller_at, compiled, policy_text

LIMITS = """
rate_limits:
  detect_by: [subject, ip]
  limits:
    - {name: per-client, dimensions: [subject, ip], rate: 1/s, burst: 8}
  enumeration: {window: 10m, max_ids: 4, sequential_run: 50, then: {action: ban, duration: 1m}}
  exposure: {window: 1d, budgets: {CN_MOBILE: 2}, then: {action: ban, duration: 1m}}
  probing: {window: 5m, min_requests: 3, max_error_ratio: 0.5,
            then: {action: ban, duration: 1m}}
  paging: {max_size: 100, max_page: 50, max_pages: 30, window: 10m,
           then: {action: reject}}
"""


@pytest.fixture
def policy() -> CompiledPolicy:
    return compiled(policy_text("http://127.0.0.1:9") + LIMITS)


@pytest.fixture
async def holder(policy: CompiledPolicy) -> AsyncIterator[StoreHolder]:
    held = StoreHolder()
    held.sync(policy.limits)
    yield held
    await held.close()


async def _before(ex: Exchange, holder: StoreHolder, path: str, query: str = "") -> None:
    """before_request as the handler calls it: awaited only when it must wait."""
    assert ex.route is not None
    waiting = before_request(ex, ex.route, holder, path, query)
    if waiting is not None:
        await waiting


async def _after(ex: Exchange, holder: StoreHolder, status: int,
                 values: Mapping[str, set[str]] | None = None) -> None:
    assert ex.route is not None
    waiting = after_response(ex, ex.route, holder, status, values)
    if waiting is not None:
        await waiting


def _exchange(policy: CompiledPolicy, client: str = "10.0.0.1", key: str = "k1",
              method: str = "GET") -> Exchange:
    ex = Exchange("rid", policy, caller_at(client), method)
    ex.route = policy.routes[0]
    resolve_caller(ex.caller, {"X-Api-Key": key}, policy, ex.route)
    return ex


async def _request(policy: CompiledPolicy, holder: StoreHolder, path: str = "/protected/x",
                   query: str = "", key: str = "k1", client: str = "10.0.0.1") -> Exchange:
    ex = _exchange(policy, client, key)
    assert ex.route is not None
    await _before(ex, holder, path, query)
    return ex


async def test_admitted_requests_carry_the_tightest_bucket(policy: CompiledPolicy,
                                                           holder: StoreHolder) -> None:
    ex = await _request(policy, holder)
    assert ex.caller.identity is not None and set(ex.caller.identity.keys) >= {"ip"}
    (decision,) = ex.limits
    assert decision == LimitDecision("allowed", "per-client", "ip", 7)  # no API key header
    assert ex.rate_headers is not None and ex.rate_headers["RateLimit"].startswith(
        '"per-client";r=')


async def test_only_what_must_wait_is_handed_back_to_await(policy: CompiledPolicy,
                                                           holder: StoreHolder) -> None:
    """The handler awaits the stage only when it hands something back: in
    memory an admitted request without a query, and a response that only
    counts, are decided in the call; a query, a refusal, a firing detector
    or an exposure count come back as an awaitable that does the rest."""
    ex = _exchange(policy)
    assert ex.route is not None
    assert before_request(ex, ex.route, holder, "/protected/loans/1", "") is None
    assert isinstance(ex.limits[0], LimitDecision) and ex.limits[0].action == "allowed"
    assert ex.limit_plan is not None  # kept for the response: not looked up twice
    assert after_response(ex, ex.route, holder, 200, None) is None
    queried = _exchange(policy)
    assert queried.route is not None
    waiting = before_request(queried, queried.route, holder, "/protected/loans/2", "page=1")
    assert isinstance(waiting, Awaitable) and not queried.limits  # nothing decided yet
    await waiting
    assert isinstance(queried.limits[0], LimitDecision)
    exposed = after_response(ex, ex.route, holder, 200, {"CN_MOBILE": {"13800138000"}})
    assert isinstance(exposed, Awaitable)
    await exposed
    for _ in range(6):  # the burst (8) runs out: the refusal is raised when awaited
        await _request(policy, holder)
    last = _exchange(policy)
    assert last.route is not None
    refused = before_request(last, last.route, holder, "/protected/x", "")
    assert isinstance(refused, Awaitable)
    with pytest.raises(RateLimited):
        await refused


async def test_the_burst_runs_out_then_429_with_retry_after(policy: CompiledPolicy,
                                                          holder: StoreHolder) -> None:
    for _ in range(8):
        await _request(policy, holder)
    with pytest.raises(RateLimited) as refused:
        await _request(policy, holder)
    assert refused.value.code == "rate_limited"
    assert int(refused.value.headers["Retry-After"]) >= 1
    # another client address is another bucket
    await _request(policy, holder, client="10.0.0.2")


async def test_a_page_size_over_the_cap_is_refused_at_once(policy: CompiledPolicy,
                                                           holder: StoreHolder) -> None:
    with pytest.raises(PageSizeTooLarge):
        await _request(policy, holder, query="page=1&size=500")


async def test_walking_ids_fires_enumeration_and_bans(policy: CompiledPolicy,
                                                      holder: StoreHolder) -> None:
    for n in range(4):  # max_ids: 4 distinct ids are allowed
        ex = await _request(policy, holder, path=f"/protected/loans/{1000 + n * 7}")
        assert not any(isinstance(event, DetectorFiring) for event in ex.limits)
    with pytest.raises(RateLimited) as fifth:
        await _request(policy, holder, path="/protected/loans/2000")
    assert fifth.value.code == "scraping_enumeration"
    with pytest.raises(RateLimited) as later:  # the ban holds for the client's address
        await _request(policy, holder, path="/protected/loans/1000")
    assert later.value.code == "client_banned"
    await _request(policy, holder, path="/protected/loans/1000", client="10.9.9.9")


async def test_a_sequential_walk_fires_the_run_detector_alone(holder: StoreHolder) -> None:
    """Ids counted and runs measured per detector dimension, each update
    beside its own check: a UUID walk counts ids but makes no run; a numeric
    walk (with a page query beside it) fires the run, not the ids."""
    policy = compiled(policy_text("http://127.0.0.1:9") + LIMITS.replace(
        "max_ids: 4, sequential_run: 50", "max_ids: 100, sequential_run: 3"))
    for n in range(5):
        uuid = f"123e4567-e89b-12d3-a456-42661417400{n}"
        ex = await _request(policy, holder, path=f"/protected/a/{uuid}")
        assert not any(isinstance(event, DetectorFiring) for event in ex.limits)
    for n in (7, 8):
        ex = await _request(policy, holder, path=f"/protected/loans/{n}", query="page=1")
        assert not any(isinstance(event, DetectorFiring) for event in ex.limits)
    with pytest.raises(RateLimited) as third:
        await _request(policy, holder, path="/protected/loans/9", query="page=1")
    assert third.value.code == "scraping_enumeration"
    other = await _request(policy, holder, path="/protected/loans/10", client="10.9.9.9",
                           key="k2")
    assert not any(isinstance(event, DetectorFiring) for event in other.limits)


async def _outcome(policy: CompiledPolicy, holder: StoreHolder, path: str, key: str,
                   client: str, query: str = "") -> tuple[object, ...]:
    ex = _exchange(policy, client, key)
    assert ex.route is not None
    try:
        await _before(ex, holder, path, query)
        refused = None
    except RateLimited as exc:
        refused = (exc.code, exc.headers)
    return refused, ex.limits, ex.rate_headers, ex.caller.role


@pytest.mark.parametrize("seed", range(6))
async def test_the_one_call_path_decides_as_the_general_path(policy: CompiledPolicy,
                                                             seed: int) -> None:
    """In memory a request without a query is decided in one call
    (ratelimit/admission.py); with a query string that names no id or page
    (`utm=x`) the stage takes its general path: finds the ids, makes the ops
    and decides. The same refusals, firings, access-line decisions, headers
    and roles, request after request."""
    rng = random.Random(seed)
    one, general = StoreHolder(), StoreHolder()
    now = [1_764_000_000.0]
    for held in (one, general):
        held.sync(policy.limits)
        held.store.clock = lambda: now[0]  # type: ignore[attr-defined]
    for _ in range(250):
        now[0] += rng.choice([0.0, 0.0, 0.0, 0.01, 0.01, 0.3, 2.0, 90.0])
        path = rng.choice(["/protected/x", "/protected/x", "/protected/x",
                           "/protected/loans/{n}", "/protected/{n}/a/{m}",
                           "/protected/b/123e4567-e89b-12d3-a456-42661417400{m}"]).format(
            n=rng.randint(1, 4), m=rng.randint(0, 3))
        key, client = rng.choice(["k1", "k2", ""]), rng.choice(["10.0.0.1", "10.0.0.2"])
        assert (await _outcome(policy, one, path, key, client)
                == await _outcome(policy, general, path, key, client, "utm=x"))
    await one.close()
    await general.close()


async def test_a_clients_plan_is_built_once_per_route(policy: CompiledPolicy,
                                                                 holder: StoreHolder) -> None:
    first = await _request(policy, holder)
    again = await _request(policy, holder)
    identity = first.caller.identity
    assert identity is not None and identity is again.caller.identity  # cached per client
    assert list(identity.plans) == [(policy.routes[0].name, "")]  # no limit names a method
    plan = next(iter(identity.plans.values()))
    await _request(policy, holder)
    assert next(iter(identity.plans.values())) is plan
    for method in ("POST", "PROPFIND", "X-ANY-TOKEN-1", "X-ANY-TOKEN-2"):
        ex = _exchange(policy, method=method)
        assert ex.route is not None
        await _before(ex, holder, "/protected/x", "")
    assert len(identity.plans) == 1  # methods the limits do not name share the plan
    other = await _request(policy, holder, client="10.0.0.2")
    assert other.caller.identity is not identity
    reloaded = compiled(policy_text("http://127.0.0.1:9") + LIMITS)  # a reload: new plans
    ex = await _request(reloaded, holder)
    assert ex.caller.identity is not None and ex.caller.identity is not identity


async def test_an_exposure_budget_refuses_the_response_that_overruns_it(
        policy: CompiledPolicy, holder: StoreHolder) -> None:
    ex = await _request(policy, holder)
    assert ex.route is not None
    await _after(ex, holder, 200, {"CN_MOBILE": {"13800138000"}})
    ex = await _request(policy, holder, client="10.0.0.1")
    assert ex.route is not None
    with pytest.raises(RateLimited):
        await _after(ex, holder, 200, {"CN_MOBILE": {"13900139000", "13700137000"}})


@pytest.mark.parametrize("remote", [False, True])
async def test_probing_fires_on_mostly_errors(policy: CompiledPolicy, holder: StoreHolder,
                                              remote: bool) -> None:
    if remote:  # as with Redis: the counts are batched per tick, off the response path
        holder.breaker = Breaker(1.0, 3, 5.0)
    codes = []
    fired = []
    for n in range(5):
        try:
            ex = await _request(policy, holder, key=f"key-{n}", client="10.0.2.1")
            assert ex.route is not None
            await _after(ex, holder, 404, None)  # never refuses
            # in memory the counts land at once; a remote store's go after the response
            assert holder.batcher.pending == (1 if remote else 0)
            await holder.batcher.drain()
            fired += [e for e in ex.limits if isinstance(e, DetectorFiring)]
        except RateLimited as exc:
            codes.append(exc.code)
    # three 404s reach min_requests with an error ratio of 1: the third fires (its
    # response has gone) and bans; the next requests are refused
    assert [f.detector for f in fired] == ["probing"] and codes == ["client_banned"] * 2


async def test_responses_that_are_no_error_are_counted_later_and_go_before_an_error(
        policy: CompiledPolicy, holder: StoreHolder) -> None:
    """As with Redis: a good response's probing count is added up, not sent
    at the end of its tick; the next error response's update takes it
    along, so the error is judged with it (two responses, one error)."""
    holder.breaker = Breaker(1.0, 3, 5.0)
    ex = await _request(policy, holder, key="key-counted", client="10.0.4.1")
    plan = ex.limit_plan
    assert plan is not None and plan.probing_ops
    await _after(ex, holder, 200, None)
    assert holder.batcher.pending == len(plan.probing_ops)  # a key each, added up
    for _ in range(3):
        await asyncio.sleep(0)
    assert holder.batcher.pending == len(plan.probing_ops)  # no call for them alone
    ex = await _request(policy, holder, key="key-counted", client="10.0.4.1")
    await _after(ex, holder, 404, None)
    await holder.batcher.drain()
    assert holder.batcher.pending == 0
    seen = await holder.store.observe([op._replace(members=()) for op in plan.probing_ops])
    assert seen == [{"all": 2, "error": 1}] * len(plan.probing_ops)


async def test_without_rate_limits_nothing_happens(holder: StoreHolder) -> None:
    plain = compiled(policy_text("http://127.0.0.1:9"))
    ex = _exchange(plain)
    assert ex.route is not None
    await _before(ex, holder, "/protected/1", "")
    await _after(ex, holder, 404, None)
    assert ex.limits == [] and ex.caller.identity is None


NARROW = """
rate_limits:
  device_header: X-Device-Id
  detect_by: [device, ip]
  probing: {window: 5m, min_requests: 3, max_error_ratio: 0.5,
            then: {action: ban, duration: 1m}}
  exposure:
    budgets: {CN_MOBILE: 2}
    roles: {ops: null, partner: {"*": 1}}
    then: {action: ban, duration: 1m}
actions:
  roles: {default: anonymous, trusted_header: {name: X-Role, from: [10.0.0.0/8]}}
"""


async def _probe(policy: CompiledPolicy, holder: StoreHolder, device: str | None,
                 ip: str = "10.0.3.1", status: int = 404, role: str | None = None) -> str:
    headers = {k: v for k, v in (("X-Device-Id", device), ("X-Role", role)) if v}
    ex = Exchange("rid", policy, caller_at(ip), "GET")
    ex.route = policy.routes[0]
    try:
        resolve_caller(ex.caller, headers, policy, ex.route)
        await _before(ex, holder, "/protected/x", "")
        await _after(ex, holder, status,
                             {"CN_MOBILE": {"13800138000", "13900139000"}} if role else None)
        await holder.batcher.drain()  # probing counts go out after the response
    except RateLimited as exc:
        return exc.code
    # a probing firing stops the client's next requests (this response had gone)
    fired = [e for e in ex.limits if isinstance(e, DetectorFiring) and e.action == "ban"]
    return f"scraping_{fired[0].detector}" if fired else "ok"


async def test_a_probing_device_is_banned_not_its_neighbours_behind_one_address() -> None:
    policy = compiled(policy_text("http://127.0.0.1:9") + NARROW)
    held = StoreHolder()
    held.sync(policy.limits)
    try:
        codes = [await _probe(policy, held, "probing-phone") for _ in range(4)]
        assert codes[2] == "scraping_probing" and codes[3] == "client_banned"
        assert await _probe(policy, held, "normal-phone", status=200) == "ok"  # same address
        # three distinct devices misbehaving from one address: now the address is banned
        for device in ("second", "third"):
            while await _probe(policy, held, device) == "ok":
                pass
        assert await _probe(policy, held, "a-fourth-phone", status=200) == "client_banned"
        assert await _probe(policy, held, "elsewhere", ip="10.0.4.1", status=200) == "ok"
        # a client with no device at all: the address is all there is to penalize
        for _ in range(3):
            last = await _probe(policy, held, None, ip="10.0.5.1")
        assert last == "scraping_probing"
    finally:
        await held.close()


async def test_exposure_counts_values_shown_in_full_with_budgets_per_role() -> None:
    policy = compiled(policy_text("http://127.0.0.1:9") + NARROW.replace(
        "probing:", "x-probing:").replace(
        "  x-probing: {window: 5m, min_requests: 3, max_error_ratio: 0.5,\n"
        "            then: {action: ban, duration: 1m}}\n", ""))
    held = StoreHolder()
    held.sync(policy.limits)
    try:
        # masked views reveal nothing: an unknown caller is never over budget
        assert {await _probe(policy, held, f"d{i}", status=200) for i in range(5)} == {"ok"}
        # a role with its own budget (one value of any type) goes over it at once
        assert await _probe(policy, held, "p1", ip="10.0.6.1", status=200,
                            role="partner") == "scraping_exposure"
        # a role with no budget is not counted
        assert {await _probe(policy, held, "o1", ip="10.0.7.1", status=200, role="ops")
                for _ in range(3)} == {"ok"}
        # others use the general budgets (two mobiles: fine once, over with new ones)
        assert await _probe(policy, held, "c1", ip="10.0.8.1", status=200,
                            role="collections") == "ok"
    finally:
        await held.close()


async def test_a_limit_on_one_method_gets_a_plan_of_its_own(holder: StoreHolder) -> None:
    policy = compiled(policy_text("http://127.0.0.1:9") + LIMITS.replace(
        "rate: 1/s, burst: 8}", "rate: 1/s, burst: 8, methods: [post]}"))
    holder.sync(policy.limits)
    posted = _exchange(policy, method="POST")
    assert posted.route is not None
    await _before(posted, holder, "/protected/x", "")
    got = _exchange(policy, method="GET")
    assert got.route is not None
    await _before(got, holder, "/protected/x", "")
    assert [d.rule for d in posted.limits if isinstance(d, LimitDecision)] == ["per-client"]
    assert not [d for d in got.limits if isinstance(d, LimitDecision)]
    assert posted.caller.identity is not None
    assert sorted(k[1] for k in posted.caller.identity.plans) == ["", "POST"]
