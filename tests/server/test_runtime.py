"""The gateway as a real process: SIGTERM drain, SIGHUP reload, admin endpoints."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from gateway import native
from gateway.obs.looplag import LAG
from gateway.server.runtime import measure_loop_lag
from tests.conftest import policy_text
from tests.server.helpers import GatewayProcess, serve_process


@pytest.fixture
async def proc(tmp_path: Path, upstream_url: str) -> AsyncIterator[GatewayProcess]:
    policy = tmp_path / "p.yaml"
    policy.write_text(policy_text(upstream_url).replace("grace_period: 5s", "grace_period: 3s"))
    p = serve_process(policy, tmp_path)
    await p.start()
    yield p
    p.stop()


async def test_sigterm_drains_inflight(proc: GatewayProcess) -> None:
    url = f"http://127.0.0.1:{proc.proxy_port}"
    async with aiohttp.ClientSession() as http:
        slow = asyncio.create_task(http.get(url + "/stream/slow?delay=1"))
        await asyncio.sleep(0.3)
        proc.signal(signal.SIGTERM)
        resp = await slow
        assert resp.status == 200
        assert await resp.json() == {"slow": True}
        resp.release()
        await asyncio.sleep(0.3)
        with pytest.raises(aiohttp.ClientConnectionError):
            async with aiohttp.ClientSession() as fresh:
                await fresh.get(url + "/echo/late")
    assert await proc.wait() == 0
    events = [json.loads(line)["event"] for line in proc.log.read_text().splitlines()
              if line.startswith("{")]
    assert "shutting_down" in events and "drained" in events


async def test_sigterm_grace_period_bounds_drain(proc: GatewayProcess) -> None:
    url = f"http://127.0.0.1:{proc.proxy_port}"
    async with aiohttp.ClientSession() as http:
        slow = asyncio.create_task(http.get(url + "/stream/slow?delay=1.8"))
        await asyncio.sleep(0.3)
        started = asyncio.get_running_loop().time()
        proc.signal(signal.SIGTERM)
        code = await proc.wait()
        assert code == 0
        assert asyncio.get_running_loop().time() - started < 6
        slow.cancel()


async def test_sighup_reloads(proc: GatewayProcess, tmp_path: Path, upstream_url: str) -> None:
    policy = tmp_path / "p.yaml"
    admin = f"http://127.0.0.1:{proc.admin_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(admin + "/version") as r:
            before = (await r.json())["policy_version"]
        policy.write_text(policy_text(upstream_url, max_body="2KiB"))
        proc.signal(signal.SIGHUP)
        for _ in range(50):
            await asyncio.sleep(0.1)
            async with http.get(admin + "/version") as r:
                if (await r.json())["policy_version"] != before:
                    break
        else:
            raise AssertionError("policy not reloaded")


async def test_admin_endpoints(proc: GatewayProcess) -> None:
    admin = f"http://127.0.0.1:{proc.admin_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(admin + "/healthz") as r:
            assert (await r.json()) == {"status": "ok"}
        async with http.get(admin + "/readyz") as r:
            body = await r.json()
            assert r.status == 200
            assert body["status"] == "ready"
            assert body["upstreams"] == {"default": "reachable"}
        async with http.get(admin + "/version") as r:
            body = await r.json()
            assert set(body) == {"gateway", "policy_version", "worker", "python", "aiohttp",
                                 "native_core", "event_loop"}
            assert body["native_core"] == native.STATUS
            # auto: uvloop, a dependency, is installed
            assert body["event_loop"] == "uvloop"


async def test_readyz_reports_unreachable_upstream(tmp_path: Path) -> None:
    from tests.server.helpers import reserve_port

    policy = tmp_path / "p.yaml"
    policy.write_text(policy_text(f"http://127.0.0.1:{reserve_port()}"))
    p = serve_process(policy, tmp_path)
    await p.start()
    try:
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{p.admin_port}/readyz") as r:
            body = await r.json()
        assert r.status == 200  # the policy is loaded; the upstream state is reported
        assert body["upstreams"] == {"default": "unreachable"}
    finally:
        p.stop()


async def test_invalid_policy_refuses_to_start(tmp_path: Path) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text("version: 1\nupstreams: {default: {}}\nroutes:\n  - {name: a, x: 1}\n")
    p = serve_process(policy, tmp_path)
    import sys
    from subprocess import run

    out = run([sys.executable, "-m", "gateway", *p.args], capture_output=True, text=True,
              timeout=30)
    assert out.returncode == 2
    assert f"{policy}:4 routes[0].x: unknown key" in out.stderr


async def test_the_lag_probe_tells_the_limiter_how_late_the_loop_is() -> None:
    probe = asyncio.create_task(measure_loop_lag(0.05))
    try:
        await asyncio.sleep(0.01)
        asyncio.get_running_loop().call_soon(time.sleep, 0.15)  # a callback holding the loop
        async with asyncio.timeout(2):
            while LAG.recent() < 0.05:
                await asyncio.sleep(0.001)
    finally:
        probe.cancel()
        LAG.observe(0.0)
        LAG.observe(0.0)
