"""One direction's inspection on its own: plan, records on the exchange, and
the child-process job made only for a body that needs one."""

from __future__ import annotations

from gateway.exchange import Exchange
from gateway.protect.offload import ProcessInspector
from gateway.proxy.caller import resolve_caller
from gateway.proxy.inspection import Inspection
from tests.conftest import caller_at, compiled, policy_text


class NoChild(ProcessInspector):
    """Fails the test if a small body is sent to a child process."""

    async def run(self, job: object) -> tuple[object, ...]:
        raise AssertionError("a small body went to a child process")


async def test_query_and_body_are_protected_and_counted() -> None:
    policy = compiled(policy_text("http://127.0.0.1:9")
                      + "actions: {defaults: {request: mask, response: mask}}\n")
    ex = Exchange("rid", policy, caller_at("10.0.0.1"), "POST")
    route = policy.routes[0]
    resolve_caller(ex.caller, {}, policy, route)
    inspection = Inspection.of(ex, route, "POST", "request", NoChild(lambda s, v: None))
    assert inspection.plan is policy.protection.plan(route.name, "POST", "request",
                                                     ex.caller.role)
    query = inspection.query("mobile=13800138000&page=1")
    assert "13800138000" not in query and query.endswith("&page=1")
    body, decoded, values = await inspection.body(b'{"idNo": "11010519491231002X"}',
                                                  "application/json", None)
    assert decoded and b"11010519491231002X" not in body and values is None
    assert ex.pii["request"][("CN_MOBILE", "mask")] == 1
    assert ex.pii["request"][("CN_RESIDENT_ID", "mask")] == 1
    assert ex.body_bytes["request"] == 30 and "request" in ex.inspect_seconds
