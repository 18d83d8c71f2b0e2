"""Honey records end to end with the demo API: a borrower whose ID number the
operator registered as a honeytoken is read in a list; the response is
refused, the client (its device, not its neighbours) is banned, the audit
trail records it and a metric counts it. Nothing holds the value."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gateway.cli import main
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.demo import data
from gateway.demo.app import DemoStore, create_demo_app
from gateway.obs.metrics import REGISTRY
from gateway.policy.compiled import compile_file
from gateway.server.runtime import GatewayServer
from tests.conftest import serving

HONEY = data.borrower(DemoStore().seed, 5)["idNo"]  # the operator seeded borrower 5


@pytest.fixture
async def demo() -> AsyncIterator[TestServer]:
    async with serving(create_demo_app()) as server:
        yield server


async def test_a_honey_record_read_in_a_list_bans_the_reader(
        tmp_path: Path, demo: TestServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ensure_dev_keys(tmp_path / "k")
    monkeypatch.setattr("sys.stdin", io.StringIO(HONEY + "\n"))
    assert main(["keys", "honeytoken", "--entity", "CN_RESIDENT_ID", "--store",
                 str(tmp_path / "k/keystore.json"), "--master-key-file",
                 str(tmp_path / "k/master.key")]) == 0
    digest = capsys.readouterr().out.strip()
    path = tmp_path / "p.yaml"
    path.write_text(f"""version: 1
server: {{listen: "127.0.0.1:0", admin: "127.0.0.1:0"}}
upstreams: {{default: {{url: "http://127.0.0.1:{demo.port}"}}}}
routes: [{{name: api, match: {{path_prefix: /api/}}}}]
keys: {{store: k/keystore.json, master_key_file: k/master.key}}
audit: {{sink: file, directory: audit}}
rate_limits: {{device_header: X-Device-Id, detect_by: [device, ip]}}
honeytokens:
  tokens: [{{entity: CN_RESIDENT_ID, digest: "{digest}"}}]
  then: {{action: ban, duration: 1h}}
""")
    server = GatewayServer(compile_file(path))
    await server.start()
    counted = REGISTRY.get_sample_value("pgw_honeytokens_served_total", {"route": "api"}) or 0
    url = f"http://127.0.0.1:{server.proxy_port}/api/v1/borrowers?page=1&size="
    try:
        async with aiohttp.ClientSession() as http:
            async def get(size: int, device: str) -> tuple[int, bytes]:
                async with http.get(url + str(size), headers={"X-Device-Id": device}) as r:
                    return r.status, await r.read()

            assert (await get(3, "dumper"))[0] == 200  # borrowers 1-3: no honey
            status, body = await get(10, "dumper")  # borrower 5 is in it
            assert status == 403 and json.loads(body)["error"] == "access_refused"
            assert (await get(3, "dumper"))[0] == 429  # banned
            assert (await get(3, "neighbour"))[0] == 200  # same address, another device
            async with http.get(f"http://127.0.0.1:{server.admin_port}/metrics") as r:
                metrics = await r.text()
    finally:
        await server.stop()
    assert REGISTRY.get_sample_value("pgw_honeytokens_served_total",
                                     {"route": "api"}) == counted + 1
    assert "pgw_honeytokens_served_total{" in metrics
    records = [json.loads(line) for f in sorted((tmp_path / "audit").glob("*.jsonl"))
               for line in f.read_text().splitlines()]
    served = [r for r in records if r["event"] == "honeytoken.served"]
    assert len(served) == 1 and served[0]["entity"] == "CN_RESIDENT_ID"
    bans = [r for r in records if r["event"] == "ratelimit.decision"]
    assert bans and bans[0]["detector"] == "honeytoken" and bans[0]["dimension"] == "device"
    everything = json.dumps(records) + metrics + capsys.readouterr().out
    assert HONEY not in everything
