"""Scraping detectors against the demo API: a synthetic scraper is stopped, a
normal user mixed in is not. Memory store (Redis: tests/ratelimit)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gateway.cli import main
from gateway.demo.app import create_demo_app
from gateway.server.runtime import GatewayServer
from tests.conftest import StartGateway, base, compiled, log_lines, serving

POLICY = """
version: 1
server: {{listen: "127.0.0.1:0", admin: "127.0.0.1:0", trusted_proxies: [127.0.0.1/32]}}
upstreams: {{default: {{url: "{url}"}}}}
routes:
  - {{name: api, match: {{path_prefix: /api/}}}}
rate_limits:
  detect_by: [ip]
{section}
"""
Client = Callable[..., Awaitable[tuple[int, dict[str, str], Any]]]


@pytest.fixture
async def demo() -> AsyncIterator[TestServer]:
    async with serving(create_demo_app()) as server:
        yield server


@pytest.fixture
def gateway(demo: TestServer, start_gateway: StartGateway
            ) -> Callable[[str], Awaitable[GatewayServer]]:
    """A gateway with this `rate_limits:` section in front of the demo API."""
    def start(section: str) -> Awaitable[GatewayServer]:
        return start_gateway(POLICY.format(url=f"http://127.0.0.1:{demo.port}",
                                           section=section))
    return start


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get(http: aiohttp.ClientSession, gw: GatewayServer, path: str,
              ip: str) -> tuple[int, dict[str, str], Any]:
    async with http.get(base(gw) + path, headers={"X-Forwarded-For": ip}) as resp:
        return resp.status, dict(resp.headers), await resp.json()


async def test_id_walk_is_banned_and_a_normal_user_is_not(gateway: Any, http: Any) -> None:
    gw = await gateway("  enumeration: {max_ids: 30, sequential_run: 15, "
                       "then: {action: ban, duration: 1s}}")
    scraper, user = [], []
    for loan in range(1, 41):
        scraper.append((await get(http, gw, f"/api/v1/loans/{loan}", "10.0.0.1"))[0])
        if loan % 4 == 0:
            user.append((await get(http, gw, f"/api/v1/loans/{loan * 7 % 50 + 1}",
                                   "10.0.0.2"))[0])
    assert scraper[:14] == [200] * 14 and scraper[14] == 429   # the 15th id in a row
    assert set(scraper[15:]) == {429}
    assert set(user) == {200}
    status, _, body = await get(http, gw, "/api/v1/loans/3", "10.0.0.1")
    assert status == 429 and body["error"] == "client_banned"


async def test_bans_expire(gateway: Any, http: Any) -> None:
    import asyncio
    gw = await gateway("  probing: {min_requests: 5, max_error_ratio: 0.5, "
                       "then: {action: ban, duration: 0.5s}}")
    statuses = [(await get(http, gw, "/api/v1/loans/999999", "10.0.0.3"))[0] for _ in range(7)]
    assert statuses[:4] == [404] * 4 and statuses[-1] == 429
    assert (await get(http, gw, "/api/v1/loans/7", "10.0.0.4"))[0] == 200  # someone else
    await asyncio.sleep(0.6)
    assert (await get(http, gw, "/api/v1/loans/7", "10.0.0.3"))[0] == 200


async def test_list_sweep_and_oversized_pages(gateway: Any, http: Any) -> None:
    gw = await gateway("  paging: {max_size: 50, max_page: 20, max_pages: 8, "
                       "then: {action: ban, duration: 60s}}")
    status, _, body = await get(http, gw, "/api/v1/borrowers?page=1&size=500", "10.0.0.5")
    assert status == 400 and body["error"] == "page_size_too_large"
    sweep = [(await get(http, gw, f"/api/v1/borrowers?page={p}&size=50", "10.0.0.5"))[0]
             for p in range(1, 12)]
    assert sweep[:8] == [200] * 8 and sweep[8] == 429
    normal = [(await get(http, gw, f"/api/v1/borrowers?page={p}&size=20", "10.0.0.6"))[0]
              for p in (1, 2, 1, 3)]
    assert normal == [200] * 4
    deep = await get(http, gw, "/api/v1/borrowers?page=40&size=20", "10.0.0.7")
    assert deep[0] == 429 and deep[2]["error"] == "scraping_paging"


async def test_exposure_budget_stops_the_response_that_overruns_it(
        demo: TestServer, start_gateway: StartGateway, http: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The budget counts values delivered in full: the risk role, which sees
    mobiles in full, is stopped; an unknown caller reading the same pages
    masked is not."""
    text = POLICY.format(url=f"http://127.0.0.1:{demo.port}", section=(
        "  exposure: {budgets: {CN_MOBILE: 150}, then: {action: ban, duration: 60s}}")) + (
        "actions:\n  roles: {default: anonymous, trusted_header: {name: X-Role, "
        "from: [127.0.0.1/32]}}\n"
        "  rules: [{name: risk, roles: [risk], direction: response, operator: keep}]\n")
    gw = await start_gateway(text)

    async def page(p: int, ip: str, role: str | None) -> tuple[int, Any]:
        headers = {"X-Forwarded-For": ip, **({"X-Role": role} if role else {})}
        async with http.get(base(gw) + f"/api/v1/borrowers?page={p}&size=50",
                            headers=headers) as resp:
            return resp.status, await resp.json()

    masked = [(await page(p, "10.0.0.9", None))[0] for p in (1, 2, 3, 4)]
    assert masked == [200] * 4                       # ~400 mobiles, all masked
    pages = [await page(p, "10.0.0.8", "risk") for p in (1, 2, 3)]
    assert pages[0][0] == 200                        # ~100 mobiles in full
    assert pages[1][0] == 429 and pages[1][1]["error"] == "scraping_exposure"
    assert pages[2][1]["error"] == "client_banned"
    lines = log_lines(capsys)
    fired = [line for line in lines if line["event"] == "scraping_detected"]
    assert [f["detector"] for f in fired] == ["exposure"] and fired[0]["dimension"] == "ip"
    text = json.dumps(lines)
    assert "10.0.0.8" not in text.replace('"client": "10.0.0.8"', "")  # only the access field


async def test_limits_answer_429_with_ietf_headers_and_spoofing_does_not_split(
        demo: TestServer, http: Any) -> None:
    text = POLICY.format(url=f"http://127.0.0.1:{demo.port}", section=(
        "  limits: [{name: per-ip, dimensions: [ip], rate: 1/m, burst: 3}]")).replace(
        "trusted_proxies: [127.0.0.1/32]", "trusted_proxies: []")
    gw = GatewayServer(compiled(text))
    await gw.start()
    try:
        results = [await get(http, gw, "/api/v1/loans/1", f"192.0.2.{i}") for i in range(4)]
    finally:
        await gw.stop()
    assert [r[0] for r in results] == [200, 200, 200, 429]  # forged X-Forwarded-For: one client
    assert results[0][1]["RateLimit-Policy"] == '"per-ip";q=3;w=180'
    assert results[1][1]["RateLimit"].startswith('"per-ip";r=1;t=')
    denied = results[3][1]
    assert int(denied["Retry-After"]) > 0 and denied["RateLimit"].startswith('"per-ip";r=0;')
    assert results[3][2]["error"] == "rate_limited"


async def test_limits_list_and_unban(gateway: Any, http: Any,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    gw = await gateway("  probing: {min_requests: 2, max_error_ratio: 0.4, "
                       "then: {action: ban, duration: 300s}}")
    for _ in range(3):
        await get(http, gw, "/api/v1/loans/999999", "10.0.0.10")
    assert (await get(http, gw, "/api/v1/loans/7", "10.0.0.10"))[0] == 429
    admin = ["--admin", f"127.0.0.1:{gw.admin_port}"]
    loop = asyncio.get_running_loop()
    capsys.readouterr()
    assert await loop.run_in_executor(None, main, ["limits", "list", *admin]) == 0
    out = capsys.readouterr().out
    assert "ban" in out and "probing:ip" in out and "10.0.0.10" not in out
    key = out.split()[0]
    assert await loop.run_in_executor(None, main, ["limits", "unban", key, *admin]) == 0
    assert (await get(http, gw, "/api/v1/loans/7", "10.0.0.10"))[0] == 200
    assert await loop.run_in_executor(None, main, ["limits", "unban", key, *admin]) == 1
    async with http.get(f"http://127.0.0.1:{gw.admin_port}/metrics") as resp:
        metrics = await resp.text()
    assert 'pgw_scraping_detections_total{action="ban",detector="probing"}' in metrics
    assert "10.0.0.10" not in metrics
