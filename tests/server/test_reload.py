"""Hot reload: a good file is swapped in atomically, a bad one is rejected and the
old policy stays; an in-flight request finishes under the policy it started with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from gateway.policy.compiled import compile_policy
from gateway.policy.loader import load_policy_file
from gateway.server.runtime import GatewayServer
from tests.conftest import base, log_lines, policy_text


@pytest.fixture
async def reloading(tmp_path: Path, upstream_url: str) -> AsyncIterator[GatewayServer]:
    path = tmp_path / "policy.yaml"
    path.write_text(policy_text(upstream_url))
    server = GatewayServer(compile_policy(load_policy_file(path)), policy_path=path)
    await server.start()
    yield server
    await server.stop()


def _path(server: GatewayServer) -> Path:
    assert server.reloader is not None
    return server.reloader.path


async def test_good_reload_swaps(reloading: GatewayServer, upstream_url: str,
                                 http: aiohttp.ClientSession) -> None:
    before = reloading.state.policies.current.version
    _path(reloading).write_text(policy_text(upstream_url, max_body="10KiB"))
    assert reloading.reloader is not None
    assert await reloading.reloader.reload("test")
    after = reloading.state.policies.current
    assert after.version != before
    async with http.post(base(reloading) + "/protected/x", data=b"x" * 20_000) as r:
        assert r.status == 413


async def test_bad_reload_keeps_old(reloading: GatewayServer, capsys: pytest.CaptureFixture[str],
                                    http: aiohttp.ClientSession) -> None:
    before = reloading.state.policies.current
    _path(reloading).write_text("version: 1\nroutes: nope\n")
    assert reloading.reloader is not None
    assert not await reloading.reloader.reload("test")
    assert reloading.state.policies.current is before
    rejected = [line for line in log_lines(capsys) if line["event"] == "policy_reload_rejected"]
    assert rejected and rejected[0]["kept_version"] == before.version
    assert any("routes" in e for e in rejected[0]["errors"])
    async with http.get(base(reloading) + "/echo/still") as r:
        assert r.status == 200


async def test_file_change_is_picked_up(reloading: GatewayServer, upstream_url: str) -> None:
    before = reloading.state.policies.current.version
    _path(reloading).write_text(policy_text(upstream_url, max_body="3KiB"))
    for _ in range(40):
        await asyncio.sleep(0.1)
        if reloading.state.policies.current.version != before:
            break
    assert reloading.state.policies.current.version != before


async def test_inflight_request_keeps_its_policy(reloading: GatewayServer, upstream_url: str,
                                                 http: aiohttp.ClientSession,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = reloading.state.policies.current.version
    slow = asyncio.create_task(http.get(base(reloading) + "/stream/slow?delay=0.5"))
    await asyncio.sleep(0.2)
    _path(reloading).write_text(policy_text(upstream_url, max_body="5KiB"))
    assert reloading.reloader is not None
    assert await reloading.reloader.reload("test")
    resp = await slow
    assert resp.status == 200
    resp.release()
    async with http.get(base(reloading) + "/echo/new") as r:
        assert r.status == 200
    lines = [line for line in log_lines(capsys) if line["event"] == "access"]
    assert lines[0]["policy_version"] == before
    assert lines[1]["policy_version"] == reloading.state.policies.current.version != before


async def test_upstream_change_opens_new_session(reloading: GatewayServer,
                                                 http: aiohttp.ClientSession) -> None:
    from aiohttp.test_utils import TestServer

    from tests.conftest import upstream_app

    other = TestServer(upstream_app(), host="127.0.0.1")
    await other.start_server()
    try:
        _path(reloading).write_text(policy_text(f"http://127.0.0.1:{other.port}"))
        assert reloading.reloader is not None
        assert await reloading.reloader.reload("test")
        async with http.get(base(reloading) + "/echo/x") as r:
            assert r.status == 200
            assert (await r.json())["headers"]
        assert reloading.state.policies.current.upstreams["default"].url.endswith(
            str(other.port))
    finally:
        await other.close()
