"""A user's suite against the installed wheel: the plugin's fixtures and assert_no_pii."""

import json
import urllib.request

import pytest
from aiohttp import web

from gateway.testing import PiiFound, assert_no_pii


async def users(request):
    return web.json_response({"mobile": "13800138000"})


@pytest.fixture
def pii_gateway_upstream():
    app = web.Application()
    app.router.add_get("/api/users", users)
    return app


def test_the_gateway_masks(pii_gateway):
    with urllib.request.urlopen(pii_gateway.url + "/api/users") as response:
        assert_no_pii(json.loads(response.read()))


def test_the_upstream_alone_leaks(pii_gateway):
    with urllib.request.urlopen(pii_gateway.upstream_url + "/api/users") as response:
        body = json.loads(response.read())
    with pytest.raises(PiiFound):
        assert_no_pii(body)


def test_detector(pii_detector):
    assert pii_detector.detect("13800138000")
