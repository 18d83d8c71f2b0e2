"""One direction's inspection on its own: plan, records on the exchange, and
the child-process job made only for a body that needs one."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from gateway.exchange import Exchange
from gateway.protect.offload import ProcessInspector
from gateway.proxy.caller import resolve_caller
from gateway.proxy.inspection import Inspection
from tests.conftest import (
    StartGateway,
    caller_at,
    compiled,
    policy_text,
    serving,
    single_route_policy,
)


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
    body, decoded = await inspection.body(b'{"idNo": "11010519491231002X"}',
                                          "application/json", None)
    assert decoded and b"11010519491231002X" not in body and ex.reveals is None
    assert ex.pii["request"][("CN_MOBILE", "mask")] == 1
    assert ex.pii["request"][("CN_RESIDENT_ID", "mask")] == 1
    assert ex.body_bytes["request"] == 30 and "request" in ex.inspect_seconds


async def _redirect(request: web.Request) -> web.Response:
    headers = CIMultiDict([
        ("Location", "/users?mobile=13912345678&page=2"),
        ("Set-Cookie", "phone=13912345678; Path=/; HttpOnly"),
        ("Set-Cookie", "theme=dark; Path=/"),
        ("Content-Disposition", 'attachment; filename="借款人_11010519491231002X.xlsx"'),
        ("Link", "</borrowers/13912345678>; rel=\"self\""),
        ("Refresh", "0; url=/search?13912345678")])
    return web.Response(status=302, headers=headers)


async def _broken(_: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": "/users?name=%E5%BC"})


RESPONSE_HEADERS = """
routes:
  - {name: protected, match: {path_prefix: /p}}
  - {name: open, match: {path_prefix: /o}, protect: false}
actions:
  defaults: {request: keep, response: mask}
  roles:
    default: anonymous
    trusted_header: {name: X-Role, from: [127.0.0.1/32]}
  rules: [{name: ops, roles: [ops], direction: response, operator: keep}]
"""


async def test_response_headers_that_carry_data_out_are_protected_per_role(
        start_gateway: StartGateway, http: aiohttp.ClientSession) -> None:
    app = web.Application()
    app.router.add_get("/p/redirect", _redirect)
    app.router.add_get("/o/redirect", _redirect)
    app.router.add_get("/p/broken", _broken)
    async with serving(app) as up:
        text = single_route_policy(f"http://127.0.0.1:{up.port}", "{name: x}")
        server = await start_gateway(text.split("routes:")[0] + RESPONSE_HEADERS)
        url = f"http://127.0.0.1:{server.proxy_port}"
        async with http.get(url + "/p/redirect", allow_redirects=False) as r:
            assert r.status == 302
            seen = "\n".join(f"{k}: {v}" for k, v in r.headers.items())
            assert r.headers["Location"] == "/users?mobile=139%2A%2A%2A%2A5678&page=2"
            assert r.headers.getall("Set-Cookie")[1] == "theme=dark; Path=/"
        for value in ("13912345678", "11010519491231002X"):
            assert value not in seen
        async with http.get(url + "/p/redirect", allow_redirects=False,
                            headers={"X-Role": "ops"}) as r:  # this role sees it all
            assert r.headers["Location"] == "/users?mobile=13912345678&page=2"
        async with http.get(url + "/o/redirect", allow_redirects=False) as r:  # not protected
            assert "13912345678" in r.headers["Location"]
        async with http.get(url + "/p/broken", allow_redirects=False) as r:  # fail closed
            assert r.status == 502 and (await r.json())["error"] == "upstream_invalid_charset"
