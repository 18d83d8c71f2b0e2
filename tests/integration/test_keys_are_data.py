"""Keys are data too, through the real gateway: object keys (JSON and NDJSON,
UTF-8, GBK, gzip), query and form items without `=`, multipart part names and
file names, cookie names; in both directions, with a policy that masks every
finding. What the upstream received and what the client got are searched for
the raw values."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.server.runtime import GatewayServer
from tests.conftest import StartGateway, serving, single_route_policy

MOBILE, ID, NAME = "13912345678", "11010519491231002X", "张三"
RAW = (MOBILE, ID, NAME)
SEEN = web.AppKey("seen", list)
MASK_ALL = "actions: {defaults: {request: mask, response: mask}, multipart_files: allow}\n"


def keyed() -> dict[str, Any]:
    return {"results": {MOBILE: {"status": "ok"}, ID: {"status": "ok"}},
            "contacts": {NAME: "父亲"}, "count": 2}


async def _received(request: web.Request) -> web.Response:
    body = await request.read()
    request.app[SEEN].append((request.raw_path, dict(request.headers), body))
    return web.json_response({"ok": True})


async def _keyed(request: web.Request) -> web.Response:
    form = request.query.get("form", "json")
    data = json.dumps(keyed(), ensure_ascii=False)
    if form == "gbk":
        return web.Response(body=data.encode("gbk"),
                            headers={"Content-Type": "application/json; charset=gbk"})
    if form == "gzip":
        return web.Response(body=gzip.compress(data.encode()),
                            headers={"Content-Type": "application/json",
                                     "Content-Encoding": "gzip"})
    if form == "ndjson":
        return web.Response(text=data + "\n" + json.dumps({MOBILE: 1}),
                            content_type="application/x-ndjson")
    return web.Response(text=data, content_type="application/json")


@pytest.fixture
async def gateway(start_gateway: StartGateway) -> AsyncIterator[tuple[GatewayServer, list[Any]]]:
    app = web.Application()
    app[SEEN] = []
    app.router.add_get("/api/keyed", _keyed)
    app.router.add_route("*", "/api/{tail:.*}", _received)
    async with serving(app) as up:
        text = single_route_policy(f"http://127.0.0.1:{up.port}",
                                   "{name: api, match: {path_prefix: /api}}")
        yield await start_gateway(text + MASK_ALL), app[SEEN]


def clean(data: bytes | str) -> bool:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return not any(raw in text for raw in RAW)


@pytest.mark.parametrize("form", ["json", "gbk", "gzip", "ndjson"])
async def test_response_keys(gateway: tuple[GatewayServer, list[Any]], form: str) -> None:
    server, _ = gateway
    async with aiohttp.ClientSession() as http, http.get(
            f"http://127.0.0.1:{server.proxy_port}/api/keyed?form={form}") as r:
        assert r.status == 200
        body = await r.read()
    text = body.decode("gbk" if form == "gbk" else "utf-8")
    assert clean(text)
    first = json.loads(text.split("\n")[0])
    assert set(first["results"]) == {"139****5678", "1****************X"}
    assert set(first["contacts"]) == {"张*"} and first["count"] == 2


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/json", json.dumps(keyed(), ensure_ascii=False).encode()),
    ("application/json; charset=gbk", json.dumps(keyed(), ensure_ascii=False).encode("gbk")),
    ("application/x-www-form-urlencoded", f"{MOBILE}&a=1".encode()),
    ("multipart/form-data; boundary=B",
     f'--B\r\nContent-Disposition: form-data; name="{MOBILE}"\r\n\r\nx\r\n--B\r\n'
     f'Content-Disposition: form-data; name="f"; filename="借款人_{ID}.xlsx"\r\n'
     "Content-Type: application/octet-stream\r\n\r\nDATA\r\n--B--\r\n".encode()),
])
async def test_request_keys(gateway: tuple[GatewayServer, list[Any]], content_type: str,
                            body: bytes) -> None:
    server, seen = gateway
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{server.proxy_port}/api/in", data=body,
            headers={"Content-Type": content_type}) as r:
        assert r.status == 200
    (_, _, received), = seen
    charset = "gbk" if "gbk" in content_type else "utf-8"
    assert clean(received.decode(charset, "replace"))


async def test_gzip_request_keys(gateway: tuple[GatewayServer, list[Any]]) -> None:
    server, seen = gateway
    body = gzip.compress(json.dumps({MOBILE: 1}).encode())
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{server.proxy_port}/api/in", data=body,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}) as r:
        assert r.status == 200
    (_, _, received), = seen
    assert json.loads(received) == {"139****5678": 1}


async def test_key_only_query_items_and_cookie_names(
        gateway: tuple[GatewayServer, list[Any]]) -> None:
    server, seen = gateway
    async with aiohttp.ClientSession() as http, http.get(
            f"http://127.0.0.1:{server.proxy_port}/api/c?{MOBILE}&page=1",
            headers={"Cookie": f"{MOBILE}=1; sid=abc"}) as r:
        assert r.status == 200
    (raw_path, headers, _), = seen
    assert clean(raw_path) and raw_path.endswith("&page=1")
    assert clean(headers["Cookie"]) and headers["Cookie"].endswith("; sid=abc")


GLUED = {"ref": f"{ID}A1", "tel": f"m{MOBILE}", "q": f"{ID}an"}


async def test_identifiers_glued_to_letters_in_both_directions(
        gateway: tuple[GatewayServer, list[Any]]) -> None:
    server, seen = gateway
    base = f"http://127.0.0.1:{server.proxy_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/api/c?q={ID}an") as r:
            assert r.status == 200
        async with http.post(f"{base}/api/in", json=GLUED) as r:
            assert r.status == 200
    (raw_path, _, _), (_, _, body) = seen
    assert clean(raw_path) and clean(body)
    assert json.loads(body) == {"ref": "1****************XA1", "tel": "m139****5678",
                                "q": "1****************Xan"}


async def test_glued_identifiers_in_a_response(start_gateway: StartGateway) -> None:
    async def glued(_: web.Request) -> web.Response:
        return web.json_response(GLUED)

    app = web.Application()
    app.router.add_get("/api/g", glued)
    async with serving(app) as up:
        text = single_route_policy(f"http://127.0.0.1:{up.port}",
                                   "{name: api, match: {path_prefix: /api}}")
        server = await start_gateway(text + MASK_ALL)
        async with aiohttp.ClientSession() as http, http.get(
                f"http://127.0.0.1:{server.proxy_port}/api/g") as r:
            assert clean(await r.read())
