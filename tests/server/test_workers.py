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


async def both_workers_answering(p: GatewayProcess) -> set[int]:
    """The worker ids seen on the admin port within 20 s (the second worker
    may still be starting when the first already serves)."""
    seen: set[int] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while seen != {0, 1} and loop.time() < deadline:
        # a fresh connection each time, so the kernel spreads them
        async with aiohttp.ClientSession() as fresh, \
                fresh.get(f"http://127.0.0.1:{p.admin_port}/version") as r:
            seen.add((await r.json())["worker"])
    return seen


async def test_two_workers_share_the_port(tmp_path: Path, upstream_url: str) -> None:
    p = await two_workers(tmp_path, upstream_url)
    try:
        assert await both_workers_answering(p) == {0, 1}
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{p.proxy_port}/echo/w") as r:
            assert r.status == 200
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


async def test_each_worker_keeps_its_own_audit_chain(tmp_path: Path, upstream_url: str) -> None:
    from gateway.audit.verify import verify
    from gateway.crypto.devkeys import ensure_dev_keys
    from gateway.crypto.keystore import KeyStore, read_master

    ensure_dev_keys(tmp_path / "k")
    policy = tmp_path / "p.yaml"
    policy.write_text(policy_text(upstream_url) + (
        "keys: {store: k/keystore.json, master_key_file: k/master.key}\n"
        "audit: {sink: file, directory: audit}\n"
        "actions: {rules: [{name: show, direction: response, operator: keep}]}\n"))
    p = serve_process(policy, tmp_path, "--workers", "2")
    await p.start()
    try:
        assert await both_workers_answering(p) == {0, 1}
        for _ in range(40):  # fresh connections, spread over both workers
            async with aiohttp.ClientSession() as http, \
                    http.get(f"http://127.0.0.1:{p.proxy_port}/protected/x?m=13800138000"
                             ) as r:  # the echo's raw_path carries the mobile back
                assert r.status == 200
        p.signal(signal.SIGTERM)
        assert await p.wait() == 0
    finally:
        p.stop()
    files = sorted((tmp_path / "audit").glob("*.jsonl"))
    assert {f.name.split("-")[1] for f in files} == {"w0", "w1"}
    store = KeyStore.open(tmp_path / "k/keystore.json", read_master(tmp_path / "k/master.key"))
    checked, problems = verify(files, store.get)
    assert problems == [] and checked > 40
    text = "".join(f.read_text() for f in files)
    assert text.count('"event":"pii.revealed"') == 40 and "13800138000" not in text
