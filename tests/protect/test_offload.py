"""Very large bodies in a child process: same answers as the thread path."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.native import core
from gateway.policy.compiled import compile_file_version, compile_policy
from gateway.policy.loader import load_policy_file
from gateway.protect.offload import Job, limits, run_job
from gateway.server.runtime import GatewayServer
from tests.conftest import base, compiled, serving

LOAD = compile_file_version  # what the process state gives the inspector
POLICY = """\
version: 1
server: {{listen: "127.0.0.1:0", admin: "127.0.0.1:0", max_body_bytes: 8MiB}}
upstreams: {{default: {{url: "{url}"}}}}
routes: [{{name: api}}]
actions:
  rules: [{{name: c3, fields: ["**.cvv"], direction: request, operator: block}}]
"""
# larger than the process limit of the path that inspects JSON here
ROWS = [{"name": "张三", "mobile": "13800138000", "n": i, "pad": "x" * 40}
        for i in range(60000 if core is not None else 20000)]
BIG = json.dumps({"items": ROWS}, ensure_ascii=False).encode()


def _job(path: Path, version: str, body: bytes, direction: str = "response") -> Job:
    return Job(str(path), version, "api", "POST", direction, "anonymous", body,
               "application/json", None, 8 * 1024 * 1024)


def test_child_steps(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.format(url="http://127.0.0.1:9"), encoding="utf-8")
    version = load_policy_file(path).version
    job = _job(path, version, b'{"m": "13800138000"}')
    kind, body, decoded, counts, uses, _, _ = run_job(job, LOAD)
    assert (kind, json.loads(body), decoded) == ("ok", {"m": "138****8000"}, True)
    assert counts == {("CN_MOBILE", "mask"): 1} and uses == {}
    assert run_job(_job(path, "stale-version", b"{}"), LOAD) == ("unavailable",)
    assert run_job(_job(path, version, b'{"cvv": "1"}', "request"), LOAD) == (
        "blocked", 403, "cvv", "FIELD")
    assert run_job(_job(path, version, b'{"a": 1, "a": 2}'), LOAD)[:2] == (
        "codec", "duplicate_key")


def test_child_encrypts_and_reports_its_key_uses(tmp_path: Path) -> None:
    ensure_dev_keys(tmp_path / "k")
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.format(url="http://127.0.0.1:9").replace(
        "operator: block}]", "operator: block},\n    {name: e, fields: [id], operator: encrypt}]"
    ) + "keys: {store: k/keystore.json, master_key_file: k/master.key}\n", encoding="utf-8")
    version = compile_policy(load_policy_file(path)).version
    job = _job(path, version, b'{"id": "x", "ok": 1}', "request")
    kind, body, _, counts, uses, _, _ = run_job(job, LOAD)
    assert kind == "ok" and json.loads(body)["id"].startswith("pgw1.")
    assert counts == {("FIELD", "encrypt"): 1} and list(uses.values()) == [1]
    assert run_job(_job(path, load_policy_file(path).version, b"{}"), LOAD) == ("unavailable",)


@pytest.fixture
async def upstream_url() -> AsyncIterator[str]:
    async def big(request: web.Request) -> web.Response:
        return web.Response(body=BIG, content_type="application/json")

    app = web.Application()
    app.router.add_get("/big", big)
    async with serving(app) as server:
        yield f"http://127.0.0.1:{server.port}"


async def _fetch(server: GatewayServer) -> bytes:
    async with aiohttp.ClientSession() as http, http.get(base(server) + "/big") as resp:
        assert resp.status == 200
        return await resp.read()


async def test_process_and_thread_paths_agree(upstream_url: str, tmp_path: Path) -> None:
    assert len(BIG) > limits(core is not None)[1]
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.format(url=upstream_url), encoding="utf-8")
    from_file = GatewayServer(compile_policy(load_policy_file(path)))
    from_text = GatewayServer(compiled(POLICY.format(url=upstream_url)))  # no file: thread
    await from_file.start()
    await from_text.start()
    try:
        by_process = await _fetch(from_file)
        by_thread = await _fetch(from_text)
    finally:
        await from_file.stop()
        await from_text.stop()
    assert from_file.state.inspector.jobs == 1 and from_text.state.inspector.jobs == 1
    assert by_process == by_thread
    assert b"13800138000" not in by_process and b"138****8000" in by_process
