"""--workers N: several processes share the port (SO_REUSEPORT)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from tests.conftest import policy_text
from tests.server.helpers import GatewayProcess, serve_process


async def two_workers(tmp_path: Path, upstream_url: str) -> GatewayProcess:
    policy = tmp_path / "p.yaml"
    policy.write_text(policy_text(upstream_url))
    p = serve_process(policy, tmp_path, "--workers", "2")
    await p.start()
    return p


async def test_two_workers_share_the_port(tmp_path: Path, upstream_url: str) -> None:
    p = await two_workers(tmp_path, upstream_url)
    try:
        seen: set[int] = set()
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                # a fresh connection each time, so the kernel spreads them
                async with aiohttp.ClientSession() as fresh, \
                        fresh.get(f"http://127.0.0.1:{p.admin_port}/version") as r:
                    seen.add((await r.json())["worker"])
                if seen == {0, 1}:
                    break
            async with http.get(f"http://127.0.0.1:{p.proxy_port}/echo/w") as r:
                assert r.status == 200
        assert seen == {0, 1}
        p.signal(signal.SIGTERM)
        assert await p.wait() == 0
    finally:
        p.stop()




def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(x) for x in text.split()}


async def test_crashed_worker_is_restarted(tmp_path: Path, upstream_url: str) -> None:
    import os

    p = await two_workers(tmp_path, upstream_url)
    try:
        assert p.proc is not None
        for _ in range(50):
            before = _children(p.proc.pid)
            if len(before) == 2:
                break
            await asyncio.sleep(0.1)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        for _ in range(100):
            await asyncio.sleep(0.1)
            now = _children(p.proc.pid)
            if len(now) == 2 and victim not in now:
                break
        assert len(now) == 2 and victim not in now
        async with aiohttp.ClientSession() as http:
            for _ in range(10):
                async with http.get(f"http://127.0.0.1:{p.proxy_port}/echo/w") as r:
                    assert r.status == 200
        p.signal(signal.SIGTERM)
        assert await p.wait() == 0
    finally:
        p.stop()
