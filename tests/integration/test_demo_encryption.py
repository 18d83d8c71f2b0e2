"""Field encryption with the default policy in front of the demo API, as the
README walks through it: the upstream stores ciphertext, the risk engine reads
plaintext, collections read masked values, rotation works on reload."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gateway.crypto.keystore import KeyStore, read_master
from gateway.demo.app import STORE, create_demo_app
from gateway.server.runtime import GatewayServer
from tests.conftest import base, default_policy_gateway, log_lines, serving

ROOT = Path(__file__).resolve().parents[2]
RISK = {"X-Api-Key": "demo-risk-key"}
COLLECTIONS = {"X-Api-Key": "demo-collections-key"}
ID, CARD = "11010519491231002X", "6222021234567890128"


def application(number: str) -> dict[str, Any]:
    return {"applicationNo": number, "applicant": {"name": "张三", "idNo": ID, "bankCard": CARD,
                                                   "mobile": "13800138000"}}


@pytest.fixture
async def demo() -> AsyncIterator[TestServer]:
    async with serving(create_demo_app()) as server:
        yield server


@pytest.fixture
async def setup(tmp_path: Path, demo: TestServer) -> AsyncIterator[tuple[GatewayServer, Path]]:
    server = default_policy_gateway(tmp_path, demo.port)
    await server.start()
    yield server, tmp_path
    await server.stop()


async def post(http: aiohttp.ClientSession, gw: GatewayServer, number: str) -> int:
    async with http.post(base(gw) + "/api/v1/loan-applications",
                         json=application(number)) as resp:
        assert resp.status == 201
        loan_id: int = (await resp.json())["loanId"]
        return loan_id


async def applicant(http: aiohttp.ClientSession, url: str, **headers: str) -> dict[str, Any]:
    async with http.get(url, headers=headers) as resp:
        assert resp.status == 200
        found: dict[str, Any] = (await resp.json())["application"]["applicant"]
        return found


async def test_stored_as_ciphertext_read_by_role(setup: tuple[GatewayServer, Path],
                                                 demo: TestServer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    gw, tmp_path = setup
    async with aiohttp.ClientSession() as http:
        loan = await post(http, gw, "A1")
        url = f"/api/v1/loans/{loan}"
        async with http.get(f"http://127.0.0.1:{demo.port}{url}") as resp:
            direct = await resp.text()
        stored = await applicant(http, f"http://127.0.0.1:{demo.port}{url}")
        risk = await applicant(http, base(gw) + url, **RISK)
        collections = await applicant(http, base(gw) + url, **COLLECTIONS)
        anonymous = await applicant(http, base(gw) + url)
        async with http.get(base(gw) + "/api/v1/loan-applications", headers=RISK) as resp:
            listed = (await resp.json())["items"][0]["application"]["applicant"]
        admin = ""
        for page in ("/version", "/readyz", "/healthz"):
            async with http.get(f"http://127.0.0.1:{gw.admin_port}{page}") as resp:
                admin += await resp.text()
    assert ID not in direct and CARD not in direct
    assert stored["idNo"].startswith("pgw1.enc-") and stored["bankCard"].startswith("pgw1.enc-")
    assert (risk["idNo"], risk["bankCard"]) == (ID, CARD) == (listed["idNo"], listed["bankCard"])
    assert (collections["idNo"], collections["bankCard"]) == ("1****************X",
                                                              "622202*********0128")
    assert (anonymous["idNo"], anonymous["bankCard"]) == (stored["idNo"], stored["bankCard"])
    lines = log_lines(capsys)
    access = [line for line in lines if line["event"] == "access"]
    assert access[0]["pii"]["request"]["FIELD:encrypt"] == 2
    assert_no_secrets(capsys_text(lines) + admin, tmp_path)


async def test_rotation_on_reload_and_failures(setup: tuple[GatewayServer, Path],
                                               demo: TestServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    gw, tmp_path = setup
    assert gw.reloader is not None
    store = KeyStore.open(tmp_path / "keys/keystore.json",
                          read_master(tmp_path / "keys/master.key"))
    old_version = gw.state.policies.current.version
    async with aiohttp.ClientSession() as http:
        first = await post(http, gw, "A1")
        new_kid = store.rotate("encrypt").kid
        assert await gw.reloader.reload("sighup")
        assert gw.state.policies.current.version != old_version
        second = await post(http, gw, "A2")
        saved = demo.app[STORE].applications
        assert saved[second]["applicant"]["idNo"].startswith(f"pgw1.{new_kid}.")
        for loan in (first, second):       # old and new ciphertexts both decrypt
            seen = await applicant(http, base(gw) + f"/api/v1/loans/{loan}", **RISK)
            assert (seen["idNo"], seen["bankCard"]) == (ID, CARD)
        # A2's ciphertext copied into A1's record does not decrypt there
        saved[first]["applicant"]["idNo"] = saved[second]["applicant"]["idNo"]
        seen = await applicant(http, base(gw) + f"/api/v1/loans/{first}", **RISK)
    assert seen["idNo"] == "[undecryptable]" and seen["bankCard"] == CARD
    await gw.stop()                        # use counts are saved at shutdown
    saved_uses = json.loads((tmp_path / "keys/usage.json").read_text())["uses"]
    assert saved_uses[new_kid] == 2
    lines = log_lines(capsys)
    access = [line for line in lines if line["event"] == "access"]
    assert access[-1]["pii"]["response"]["FIELD:decrypt_failed"] == 1
    assert any(line["event"] == "policy_reloaded" for line in lines)
    assert_no_secrets(capsys_text(lines), tmp_path)


def capsys_text(lines: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)


def assert_no_secrets(text: str, tmp_path: Path) -> None:
    """No plaintext of an encrypted field and no key material, in any form."""
    master = read_master(tmp_path / "keys/master.key")
    store = KeyStore.open(tmp_path / "keys/keystore.json", master)
    secrets = [ID, CARD, master.hex()]
    for record in store.records:
        key = store.get(record.kid)
        assert key is not None
        secrets += [key.hex(), base64.b64encode(key).decode(), record.wrapped]
    for secret in secrets:
        assert secret not in text
