"""The demo scraper script against the default policy: banned, the user is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.demo.app import create_demo_app
from gateway.demo.scraper import main
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import LoadedPolicy, parse_policy
from gateway.server.runtime import GatewayServer
from tests.conftest import base, serving

ROOT = Path(__file__).resolve().parents[2]


async def test_the_scraper_is_stopped_and_the_user_is_served(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = ROOT / "policies" / "default.yaml"
    text = path.read_text(encoding="utf-8").replace("127.0.0.1:8080", "127.0.0.1:0").replace(
        "127.0.0.1:9901", "127.0.0.1:0").replace("directory: ../audit",
                                                 f"directory: {tmp_path}/audit")
    async with serving(create_demo_app()) as demo:
        gw = GatewayServer(compile_policy(LoadedPolicy(parse_policy(text, str(path)), str(path),
                                                       "test"),
                                          upstream_url=f"http://127.0.0.1:{demo.port}"))
        await gw.start()
        try:
            await main(base(gw), 30)
        finally:
            await gw.stop()
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(
        ("scraper", "user"))]
    scraper = [line.split("-> ")[1] for line in lines if line.startswith("scraper")]
    assert scraper[:19] == ["200 "] * 19 and scraper[19] == "429 scraping_enumeration"
    assert set(scraper[20:]) == {"429 client_banned"}
    assert all(line.endswith("-> 200") for line in lines if line.startswith("user"))
