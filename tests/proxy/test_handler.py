"""Forwarding through the real gateway to a real upstream on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os

import aiohttp
import pytest

from gateway.server.runtime import GatewayServer
from tests.conftest import StartGateway, base, single_route_policy

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.mark.parametrize("method", METHODS)
async def test_methods_forwarded(gateway: GatewayServer, http: aiohttp.ClientSession,
                                 method: str) -> None:
    async with http.request(method, base(gateway) + "/echo/x") as resp:
        assert resp.status == 200
        data = await resp.json()
    assert data["method"] == method


@pytest.mark.parametrize("path", ["/status/200", "/protected/status/200"])
async def test_head_has_no_body(gateway: GatewayServer, http: aiohttp.ClientSession,
                                path: str) -> None:
    async with http.get(base(gateway) + path) as resp:
        length = resp.headers["Content-Length"]
    async with http.head(base(gateway) + path) as resp:
        assert resp.status == 200
        assert await resp.read() == b""
        assert resp.headers["Content-Length"] == length


@pytest.mark.parametrize("query", [
    "a=1&b=2", "a=%41%2f%2F&b=+x+", "q=%E5%BC%A0%E4%B8%89&empty=&flag", "x=1;y=2&x=3",
    "a=%zz%%&b=\"'",
])
async def test_query_string_byte_exact(gateway: GatewayServer, http: aiohttp.ClientSession,
                                       query: str) -> None:
    url = aiohttp.client.URL(base(gateway) + "/echo/q?" + query, encoded=True)
    async with http.get(url) as resp:
        data = await resp.json()
    assert data["raw_path"] == "/echo/q?" + query


@pytest.mark.parametrize(("route", "body", "content_type"), [
    ("/echo/body", os.urandom(200_000), "application/octet-stream"),
    # inspected, nothing personal found: the exact bytes go on
    ("/protected/body", json.dumps({"rows": [{"k": i, "v": "x" * 20, "n": 1.50}
                                             for i in range(4000)]}, indent=1).encode(),
     "application/json"),
])
async def test_body_forwarded_exactly(gateway: GatewayServer, http: aiohttp.ClientSession,
                                      route: str, body: bytes, content_type: str) -> None:
    async with http.post(base(gateway) + route, data=body,
                         headers={"Content-Type": content_type}) as resp:
        data = await resp.json()
    assert data["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert data["body_len"] == len(body)
    headers = {k.lower(): v for k, v in data["headers"]}
    assert headers["content-length"] == str(len(body))
    assert "transfer-encoding" not in headers


async def test_chunked_request_body_streamed(gateway: GatewayServer,
                                            http: aiohttp.ClientSession) -> None:
    parts = [os.urandom(10_000) for _ in range(5)]

    async def gen():  # type: ignore[no-untyped-def]
        for p in parts:
            yield p

    async with http.post(base(gateway) + "/echo/chunked", data=gen()) as resp:
        data = await resp.json()
    headers = {k.lower(): v for k, v in data["headers"]}
    assert data["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()
    assert headers.get("transfer-encoding") == "chunked"


async def test_headers_forwarded_and_added(gateway: GatewayServer,
                                           http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/echo/h", headers={
        "X-Custom": "a", "Authorization": "Bearer t", "Cookie": "s=1",
        "Host": "lending.example"}) as resp:
        data = await resp.json()
        assert resp.headers["X-Upstream"] == "yes"
    h = {k.lower(): v for k, v in data["headers"]}
    assert h["x-custom"] == "a"
    assert h["authorization"] == "Bearer t"
    assert h["cookie"] == "s=1"
    assert h["x-forwarded-for"] == "127.0.0.1"
    assert h["x-forwarded-proto"] == "http"
    assert h["x-forwarded-host"] == "lending.example"
    assert "user-agent" in h  # the client's own, not aiohttp client's extra


async def test_hop_by_hop_stripped_in_request(gateway: GatewayServer,
                                              http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/echo/hop", headers={
        "Connection": "keep-alive, X-Drop-Me", "X-Drop-Me": "secret", "Keep-Alive": "300",
        "TE": "trailers", "Proxy-Authorization": "Basic x", "Upgrade": "websocket",
        "Proxy-Connection": "keep-alive", "Trailer": "X-T", "X-Stay": "1"}) as resp:
        data = await resp.json()
    names = {k.lower() for k, _ in data["headers"]}
    for gone in ("x-drop-me", "keep-alive", "te", "proxy-authorization", "upgrade",
                 "proxy-connection", "trailer"):
        assert gone not in names
    assert "x-stay" in names


@pytest.mark.parametrize("path", ["/hop", "/stream/hop"])
async def test_hop_by_hop_stripped_in_response(gateway: GatewayServer,
                                               http: aiohttp.ClientSession, path: str) -> None:
    async with http.get(base(gateway) + path) as resp:
        assert await resp.text() == "hop"
        assert "X-Secret-Hop" not in resp.headers
        assert "Proxy-Authenticate" not in resp.headers
        assert "Keep-Alive" not in resp.headers
        assert resp.headers["X-Kept"] == "1"


async def test_gzip_passes_through_untouched(gateway: GatewayServer,
                                             http: aiohttp.ClientSession) -> None:
    import gzip

    async with http.get(base(gateway) + "/gzip") as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(await resp.read()) == b'{"a": 1}'


async def test_large_response_streams(gateway: GatewayServer,
                                      http: aiohttp.ClientSession) -> None:
    size = 64 * 1024 * 1024
    got = 0
    async with http.get(base(gateway) + f"/big?size={size}&length=1") as resp:
        assert resp.content_length == size
        async for chunk in resp.content.iter_chunked(1 << 20):
            got += len(chunk)
    assert got == size


async def test_request_over_limit_on_protected_route(gateway: GatewayServer,
                                                     http: aiohttp.ClientSession) -> None:
    body = io.BytesIO(b"x" * (1024 * 1024 + 1))
    async with http.post(base(gateway) + "/protected/x", data=body) as resp:
        assert resp.status == 413
        assert (await resp.json())["error"] == "body_too_large"


async def test_chunked_request_over_limit(gateway: GatewayServer,
                                          http: aiohttp.ClientSession) -> None:
    async def gen():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"y" * 65536

    async with http.post(base(gateway) + "/protected/x", data=gen()) as resp:
        assert resp.status == 413


async def test_response_over_limit_on_protected_route(gateway: GatewayServer,
                                                      http: aiohttp.ClientSession) -> None:
    for length in ("0", "1"):  # chunked and with Content-Length
        async with http.get(base(gateway) + f"/protected/big?size=2000000&length={length}"
                            ) as resp:
            body = await resp.read()
            assert resp.status == 502
            assert b"xxxx" not in body
            assert (await resp.json())["error"] == "upstream_body_too_large"


async def test_dead_upstream_gives_502(start_gateway: StartGateway,
                                       http: aiohttp.ClientSession) -> None:
    from tests.conftest import policy_text
    from tests.server.helpers import reserve_port

    gw = await start_gateway(policy_text(f"http://127.0.0.1:{reserve_port()}"))
    async with http.get(base(gw) + "/echo") as resp:
        assert resp.status == 502
        data = await resp.json()
    assert data["error"] == "upstream_unavailable"
    assert set(data) == {"error", "message", "request_id"}
    assert "127.0.0.1" not in data["message"]


async def test_a_small_pass_through_body_goes_whole_with_its_length(
        gateway: GatewayServer, http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/big?size=65536&length=1") as resp:
        assert resp.status == 200 and resp.headers["Content-Length"] == "65536"
        assert await resp.read() == b"x" * 65536


async def test_an_upstream_hanging_up_mid_body(gateway: GatewayServer,
                                               http: aiohttp.ClientSession) -> None:
    """Up to one chunk the body is read whole before anything is sent: a short
    one is a 502. A longer one streams: its headers are gone when the upstream
    hangs up, so the client's connection is broken, never completed."""
    async with http.get(base(gateway) + "/short?size=1000") as resp:
        assert resp.status == 502
        assert (await resp.json())["error"] == "upstream_unavailable"
    async with http.get(base(gateway) + "/short?size=200000") as resp:
        assert resp.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()


async def test_resetting_upstream_gives_502(gateway: GatewayServer,
                                            http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/reset") as resp:
        assert resp.status == 502


@pytest.mark.parametrize("path", ["/slow?delay=5", "/stream/slow?delay=5"])
async def test_slow_upstream_gives_504(start_gateway: StartGateway,
                                       http: aiohttp.ClientSession, path: str) -> None:
    gw = await start_gateway(read="300ms")
    async with http.get(base(gw) + path) as resp:
        assert resp.status == 504
        assert (await resp.json())["error"] == "upstream_timeout"
    async with http.get(base(gw) + "/echo/after") as resp:  # the worker is fine
        assert resp.status == 200


async def test_upstream_status_passes(gateway: GatewayServer,
                                      http: aiohttp.ClientSession) -> None:
    for code in (201, 204, 404, 500, 503):
        async with http.get(base(gateway) + f"/status/{code}") as resp:
            assert resp.status == code


async def test_no_route_is_404_json(start_gateway: StartGateway, upstream_url: str,
                                    http: aiohttp.ClientSession) -> None:
    gw = await start_gateway(single_route_policy(
        upstream_url, "{name: only, match: {path_prefix: /api, methods: [GET]}}"))
    async with http.get(base(gw) + "/other") as resp:
        assert resp.status == 404
        assert (await resp.json())["error"] == "no_route"
    async with http.post(base(gw) + "/api/x") as resp:
        assert resp.status == 404
    async with http.get(base(gw) + "/apix") as resp:  # prefixes match whole segments
        assert resp.status == 404
    async with http.get(base(gw) + "/api/x") as resp:
        assert resp.status == 200


@pytest.mark.parametrize(("host", "name"), [
    ("a.example", "a.example"), ("a.example:8080", "a.example"), ("[::1]:80", "[::1]"),
    ("[::1]", "[::1]"), ("", None), (None, None), ("10.0.0.1:80", "10.0.0.1"),
])
def test_hostname(host: str | None, name: str | None) -> None:
    from gateway.proxy.handler import hostname

    assert hostname(host) == name


async def test_host_route_ignores_port(start_gateway: StartGateway, upstream_url: str,
                                       http: aiohttp.ClientSession) -> None:
    gw = await start_gateway(single_route_policy(
        upstream_url, "{name: admin, match: {host: admin.example}}"))
    async with http.get(base(gw) + "/echo/h", headers={"Host": "Admin.Example:8080"}) as resp:
        assert resp.status == 200
    async with http.get(base(gw) + "/echo/h", headers={"Host": "other.example"}) as resp:
        assert resp.status == 404


async def test_many_concurrent_requests(gateway: GatewayServer,
                                        http: aiohttp.ClientSession) -> None:
    async def one(i: int) -> int:
        async with http.get(base(gateway) + f"/echo/{i}") as resp:
            await resp.read()
            return resp.status

    statuses = await asyncio.gather(*(one(i) for i in range(200)))
    assert statuses == [200] * 200


async def test_range_requests_get_the_whole_body_on_protected_routes(
        gateway: GatewayServer, http: aiohttp.ClientSession) -> None:
    """A partial body cannot be inspected: Range and If-Range are not forwarded
    on a protected route (the client gets the whole body, inspected, as 200);
    elsewhere they pass."""
    ranged = {"Range": "bytes=0-9", "If-Range": '"v1"'}
    async with http.get(base(gateway) + "/protected/echo", headers=ranged) as resp:
        assert resp.status == 200
        sent = {k.lower() for k, _ in (await resp.json())["headers"]}
    assert "range" not in sent and "if-range" not in sent
    async with http.get(base(gateway) + "/stream/echo", headers=ranged) as resp:
        sent = {k.lower() for k, _ in (await resp.json())["headers"]}
    assert {"range", "if-range"} <= sent
