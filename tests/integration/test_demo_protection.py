"""The default policy in front of the demo lending API, as a user would try it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gateway.demo.app import create_demo_app
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import LoadedPolicy, parse_policy
from gateway.server.runtime import GatewayServer
from tests.conftest import base, serving

ROOT = Path(__file__).resolve().parents[2]
RISK = {"X-Api-Key": "demo-risk-key"}
COLLECTIONS = {"X-Api-Key": "demo-collections-key"}


@pytest.fixture
async def demo() -> AsyncIterator[TestServer]:
    async with serving(create_demo_app()) as server:
        yield server


@pytest.fixture
async def gw(demo: TestServer, tmp_path: Path) -> AsyncIterator[GatewayServer]:
    path = ROOT / "policies" / "default.yaml"
    text = path.read_text(encoding="utf-8").replace("127.0.0.1:8080", "127.0.0.1:0").replace(
        "127.0.0.1:9901", "127.0.0.1:0").replace("directory: ../audit",
                                                 f"directory: {tmp_path}/audit")
    loaded = LoadedPolicy(parse_policy(text, str(path)), str(path), "test")
    server = GatewayServer(compile_policy(loaded, upstream_url=f"http://127.0.0.1:{demo.port}"))
    await server.start()
    yield server
    await server.stop()


async def borrowers(gw: GatewayServer, **headers: str) -> list[dict[str, object]]:
    async with aiohttp.ClientSession() as http, \
            http.get(base(gw) + "/api/v1/borrowers?page=1&size=20", headers=headers) as resp:
        assert resp.status == 200
        items: list[dict[str, object]] = (await resp.json())["items"]
        return items


async def test_anonymous_callers_see_masked_borrowers(gw: GatewayServer,
                                                      demo: TestServer) -> None:
    async with aiohttp.ClientSession() as http, \
            http.get(f"http://127.0.0.1:{demo.port}/api/v1/borrowers?page=1&size=20") as resp:
        raw = (await resp.json())["items"]
    masked = await borrowers(gw)
    for original, seen in zip(raw, masked, strict=True):
        assert seen["mobile"] == f"{original['mobile'][:3]}********"  # the carrier segment
        assert seen["idNo"] == original["idNo"][0] + "*" * 16 + original["idNo"][-1]
        assert seen["bankCard"] == original["bankCard"][:6] + "*" * 9 + original["bankCard"][-4:]
        assert str(seen["name"])[0] == original["name"][0] and "*" in str(seen["name"])
        assert seen["borrowerId"] == original["borrowerId"]
        # quasi-identifiers generalized (test_reidentification.py counts what is left)
        income = int(str(original["monthlyIncome"]))
        low, high = (int(x) for x in str(seen["monthlyIncome"]).split("-"))
        assert low <= income < high and high - low <= income
        assert seen["birthDate"] == str(original["birthDate"])[:4] + "-**-**"
        assert str(seen["address"]).endswith("市***")
        kyc, seen_kyc = original["kyc"], seen["kyc"]
        assert isinstance(kyc, dict) and isinstance(seen_kyc, dict)
        assert seen_kyc["idIssuer"] == seen["address"]
        assert seen_kyc["occupation"] == seen_kyc["maritalStatus"] == seen["employer"] == ""
        assert seen_kyc["deviceId"] != kyc["deviceId"] and len(seen_kyc["deviceId"]) == 16
        text = json.dumps(seen, ensure_ascii=False)
        for key in ("mobile", "idNo", "bankCard", "email", "address"):
            assert original[key] not in text


async def test_the_risk_engine_sees_full_values(gw: GatewayServer, demo: TestServer) -> None:
    async with aiohttp.ClientSession() as http, \
            http.get(f"http://127.0.0.1:{demo.port}/api/v1/borrowers?page=1&size=20") as resp:
        raw = (await resp.json())["items"]
    assert await borrowers(gw, **RISK) == raw


async def test_collections_see_masked_mobiles_names_and_nothing_else(gw: GatewayServer) -> None:
    for item in await borrowers(gw, **COLLECTIONS):
        assert str(item["mobile"]).endswith("********")
        assert "*" not in str(item["name"])
        assert item["idNo"] == "" and item["bankCard"] == "" and item["email"] == ""


async def test_a_wrong_api_key_is_just_anonymous(gw: GatewayServer) -> None:
    items = await borrowers(gw, **{"X-Api-Key": "guess"})
    assert "****" in str(items[0]["mobile"])


async def test_loan_application_reaches_the_upstream_and_c3_never_comes_back(
        gw: GatewayServer, demo: TestServer) -> None:
    application = {"applicationNo": "A1", "applicant": {
        "name": "王小明", "idNo": "11010519491231002X", "mobile": "13800138000",
        "password": "hunter2"}, "loan": {"amount": 50000}}
    async with aiohttp.ClientSession() as http:
        async with http.post(base(gw) + "/api/v1/loan-applications", json=application) as resp:
            assert resp.status == 201
            loan_id = (await resp.json())["loanId"]
        async with http.get(f"http://127.0.0.1:{demo.port}/_demo/received") as resp:
            stored = (await resp.json())["applications"][str(loan_id)]
        # default: requests keep (the service needs the data), except the encrypted ID
        assert str(stored["applicant"].pop("idNo")).startswith("pgw1.")
        assert stored["applicant"]["password"] == "hunter2"
        async with http.get(base(gw) + f"/api/v1/loans/{loan_id}", headers=RISK) as resp:
            seen = await resp.json()
    assert seen["application"]["applicant"]["password"] == ""  # C3: redacted in responses
    assert seen["application"]["applicant"]["idNo"] == "11010519491231002X"


async def test_partner_example_hashes_join_keys(demo: TestServer, tmp_path: Path) -> None:
    import shutil

    from gateway.crypto.devkeys import write_hash_key
    from gateway.policy.loader import load_policy_file

    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    write_hash_key(tmp_path / "keys" / "hash.key")
    path = tmp_path / "policies" / "examples" / "partner-api.yaml"
    path.write_text(path.read_text().replace("127.0.0.1:8080", "127.0.0.1:0").replace(
        "127.0.0.1:9901", "127.0.0.1:0"))
    server = GatewayServer(compile_policy(load_policy_file(path),
                                          upstream_url=f"http://127.0.0.1:{demo.port}"))
    await server.start()
    try:
        partner = await borrowers(server, **{"X-Api-Key": "demo-partner-key"})
        again = await borrowers(server, **{"X-Api-Key": "demo-partner-key"})
        stranger = await borrowers(server)
    finally:
        await server.stop()
    first = partner[0]
    assert str(first["idNo"]).startswith("h_") and len(str(first["idNo"])) == 22
    assert first["idNo"] == again[0]["idNo"]          # deterministic: joins keep working
    assert "*" in str(first["name"]) and first["address"] == "" and first["email"] == ""
    assert stranger[0]["idNo"] == "" and stranger[0]["name"] == ""
