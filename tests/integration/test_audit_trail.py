"""The audit trail with the default policy: who saw a borrower's ID in full,
proved unaltered, and no values in it."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gateway.cli import main
from gateway.demo.app import create_demo_app
from gateway.protect.roles import api_key_digest
from tests.conftest import base, default_policy_gateway, serving

ROOT = Path(__file__).resolve().parents[2]
ID, CARD = "11010519491231002X", "6222021234567890128"
RISK = {"X-Api-Key": "demo-risk-key"}


@pytest.fixture
async def demo() -> AsyncIterator[TestServer]:
    async with serving(create_demo_app()) as server:
        yield server


async def test_who_saw_this_id_in_full(tmp_path: Path, demo: TestServer,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    gw = default_policy_gateway(tmp_path, demo.port)
    path = tmp_path / "policies" / "default.yaml"
    await gw.start()
    try:
        async with aiohttp.ClientSession() as http:
            application = {"applicationNo": "A7", "applicant": {
                "name": "张三", "idNo": ID, "bankCard": CARD, "mobile": "13800138000"}}
            async with http.post(base(gw) + "/api/v1/loan-applications",
                                 json=application) as resp:
                loan = (await resp.json())["loanId"]
            for headers in (RISK, {"X-Api-Key": "demo-collections-key"}, {}):
                async with http.get(base(gw) + f"/api/v1/loans/{loan}", headers=headers) as resp:
                    assert resp.status == 200
            async with http.post(base(gw) + "/api/v1/x", data=b"\x00\x01",
                                 headers={"Content-Type": "application/octet-stream"}) as resp:
                assert resp.status == 415
        assert gw.reloader is not None
        path.write_text(path.read_text() + "\n# touched\n")
        assert await gw.reloader.reload("sighup")
    finally:
        await gw.stop()
    check_trail(tmp_path, monkeypatch, capsys)


def check_trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> None:
    """What an auditor does with the files (synchronous: the CLI is)."""
    files = [str(f) for f in sorted((tmp_path / "audit").glob("*.jsonl"))]
    assert files
    store = ["--store", str(tmp_path / "keys/keystore.json"), "--master-key-file",
             str(tmp_path / "keys/master.key")]
    capsys.readouterr()
    assert main(["audit", "verify", *files, *store]) == 0
    assert "every chain intact" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(ID + "\n"))
    assert main(["audit", "search", *files, "--entity", "CN_RESIDENT_ID", *store]) == 0
    found = capsys.readouterr()
    seen = [json.loads(line) for line in found.out.splitlines()]
    assert len(seen) == 1 and "1 reveal(s)" in found.err
    assert seen[0]["role"] == "risk_engine"
    assert seen[0]["caller"] == api_key_digest("pgw-demo-salt-2026", "demo-risk-key")[:16]
    assert seen[0]["field"] == "application.applicant.idNo"
    text = "".join(Path(f).read_text() for f in files)
    for event in ("inspection.rejected", "policy.reloaded", "keys.loaded", "audit.closed"):
        assert f'"{event}"' in text
    for raw in (ID, CARD, "13800138000", "张三", "demo-risk-key"):
        assert raw not in text
    # one changed character anywhere is found
    first = Path(files[0])
    lines = first.read_text().splitlines()
    changed = lines[2].replace("risk_engine", "risk_enginf")
    assert changed != lines[2]
    lines[2] = changed
    first.write_text("\n".join(lines) + "\n")
    assert main(["audit", "verify", *files, *store]) == 1
    assert f"{first}:3: modified" in capsys.readouterr().out
