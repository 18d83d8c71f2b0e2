"""A gateway in a background thread, in front of a URL or an aiohttp app."""

from __future__ import annotations

import gc
import json
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web

from gateway.policy.loader import PolicyError
from gateway.testing import GatewayThread, run_gateway
from tests.conftest import single_route_policy


async def _borrower(_: web.Request) -> web.Response:
    return web.json_response({"name": "张三", "mobile": "13800138000"})


def app() -> web.Application:
    application = web.Application()
    application.router.add_get("/api/borrower", _borrower)
    return application


def policy(tmp: Path) -> Path:
    path = tmp / "p.yaml"
    path.write_text(single_route_policy("http://127.0.0.1:9", "{name: api}"))
    return path


def get(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return dict(json.loads(r.read()))


def test_in_front_of_an_aiohttp_app_and_of_a_url(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    with run_gateway(policy(tmp_path), app()) as gw:
        assert gw.url.startswith("http://127.0.0.1:") and str(gw) == gw.url
        assert get(gw.url + "/api/borrower") == {"name": "张*", "mobile": "138****8000"}
        assert get(gw.admin_url + "/healthz") == {"status": "ok"}
        # a second gateway in front of the first one's upstream, by URL
        with run_gateway(policy(tmp_path), gw.upstream_url) as second:
            assert get(second.url + "/api/borrower")["mobile"] == "138****8000"
    assert gc.get_threshold() == thresholds  # the test process's collector is left alone


def test_a_bad_policy_is_raised_by_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nroutes: nope\n")
    thread = GatewayThread(bad, "http://127.0.0.1:9")
    with pytest.raises(PolicyError):
        thread.start()
    thread.stop()
