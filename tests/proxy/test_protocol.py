"""Framing, parser errors, header deadline and connection caps, over raw sockets."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from gateway.server.runtime import GatewayServer
from tests.conftest import StartGateway, base, json_of, raw_exchange, status_of

GOOD = b"GET /echo/ok HTTP/1.1\r\nHost: t\r\n\r\n"
GOOD_LAST = b"GET /echo/ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize(("raw", "status"), [
    (b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n", 400),
    (b"POST /echo HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"4\r\nabcd\r\n0\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400),
    (b"GET /echo HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    (b"GET /echo HTTP/1.2\r\nHost: t\r\n\r\n", 505),
    (b"GET /echo HTTP/0.9\r\nHost: t\r\n\r\n", 505),
    (b"GET /echo HTTP/1.1\r\n\r\n", 400),  # no Host
    (b"GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    (b"GET /echo HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400),
    (b"GET /echo HTTP/1.1\r\nHost: t\r\n X-Folded: y\r\n\r\n", 400),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    (b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    (b"GET /echo HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-H%d: 1\r\n" % i for i in range(150)) + b"\r\n", 431),
    (b"GET /a%2fb HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"GET /a%5Cb HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"GET /a\\b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"GET /a/%2e%2e/b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"GET /a/../b HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"GET http://evil.example/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"NOTAMETHOD / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 400),  # TLS hello on a plain port
])
async def test_rejected_and_closed(gateway: GatewayServer, raw: bytes, status: int) -> None:
    version_test = status == 505
    out = await raw_exchange(gateway.proxy_port, raw if version_test else raw + GOOD_LAST)
    assert status_of(out) == status, out[:200]
    body = json_of(out)
    assert set(body) >= {"error", "message", "request_id"}
    if body["error"] != "bad_path":
        # framing errors close the connection: a pipelined good request is never answered
        assert b" 200 OK" not in out, out


async def test_error_body_does_not_echo_input(gateway: GatewayServer) -> None:
    secret = b"110105194912310021"
    for raw in (b"GET /echo HTTP/1.1\r\nHost: t\r\nX-" + secret + b" y: 1\r\n\r\n",
                b"GET /" + secret * 600 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
                b"GET /echo HTTP/1.1\r\nHost: t\r\nX: " + secret * 600 + b"\r\n\r\n"):
        out = await raw_exchange(gateway.proxy_port, raw)
        assert status_of(out) in (400, 414, 431)
        assert secret not in out


async def test_keepalive_serves_many_requests(gateway: GatewayServer) -> None:
    out = await raw_exchange(gateway.proxy_port, GOOD * 3, read_timeout=1.0)
    assert out.count(b"HTTP/1.1 200") == 3


async def test_header_deadline_closes_slow_client(start_gateway: StartGateway) -> None:
    gw = await start_gateway(header_timeout="300ms")
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.proxy_port)
    writer.write(b"GET /echo HTTP/1.1\r\nHost: t\r\n")  # never finishes the headers
    started = time.monotonic()
    async with asyncio.timeout(5):
        out = await reader.read()
    assert time.monotonic() - started < 2
    assert status_of(out) == 408
    writer.close()


async def test_header_deadline_for_idle_new_connection(start_gateway: StartGateway) -> None:
    gw = await start_gateway(header_timeout="300ms")
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.proxy_port)
    async with asyncio.timeout(5):
        assert await reader.read() == b""  # closed without a word
    writer.close()


async def test_header_deadline_applies_to_next_keepalive_request(
        start_gateway: StartGateway) -> None:
    gw = await start_gateway(header_timeout="300ms")
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.proxy_port)
    writer.write(GOOD)
    await asyncio.sleep(0.5)  # longer than the header deadline, but the first request is done
    writer.write(b"GET /echo/2 HTTP/1.1\r\n")  # then a slow second request
    async with asyncio.timeout(5):
        out = await reader.read()
    assert out.count(b"HTTP/1.1 200") == 1
    assert b"HTTP/1.1 408" in out
    writer.close()


async def test_body_deadline(start_gateway: StartGateway) -> None:
    gw = await start_gateway(body_timeout="300ms")
    for path in (b"/protected/x", b"/echo/x"):
        reader, writer = await asyncio.open_connection("127.0.0.1", gw.proxy_port)
        writer.write(b"POST " + path + b" HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
        async with asyncio.timeout(5):
            out = await reader.read()
        assert status_of(out) == 408, out[:100]
        writer.close()


async def test_per_ip_connection_cap(start_gateway: StartGateway) -> None:
    gw = await start_gateway(per_ip=5)
    conns = [await asyncio.open_connection("127.0.0.1", gw.proxy_port) for _ in range(5)]
    out = await raw_exchange(gw.proxy_port, GOOD)
    assert status_of(out) == 503
    assert json_of(out)["error"] == "too_many_connections"
    for _, w in conns:
        w.close()
    await asyncio.sleep(0.1)
    out = await raw_exchange(gw.proxy_port, GOOD, read_timeout=0.5)
    assert status_of(out) == 200


async def test_slowloris_does_not_starve_normal_clients(start_gateway: StartGateway) -> None:
    """300 slow connections from one address (127.0.0.2); a normal client from
    127.0.0.1 keeps being served quickly."""
    gw = await start_gateway(per_ip=50, header_timeout="2s")
    attackers = []
    for _ in range(300):
        r, w = await asyncio.open_connection("127.0.0.1", gw.proxy_port,
                                             local_addr=("127.0.0.2", 0))
        w.write(b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        attackers.append((r, w))
    assert gw.guard is not None
    assert gw.guard.per_ip["127.0.0.2"] == 50
    async with aiohttp.ClientSession() as http:
        for _ in range(20):
            started = time.monotonic()
            async with http.get(base(gw) + "/echo/normal") as resp:
                assert resp.status == 200
            assert time.monotonic() - started < 0.5
    await asyncio.sleep(2.5)  # the header deadline frees the attackers' slots
    assert gw.guard.per_ip.get("127.0.0.2", 0) == 0
    for _, w in attackers:
        w.close()


async def test_total_connection_cap(start_gateway: StartGateway, upstream_url: str) -> None:
    from tests.conftest import policy_text

    text = policy_text(upstream_url).replace("grace_period: 5s",
                                             "grace_period: 5s\n  max_connections: 3")
    gw = await start_gateway(text)
    conns = [await asyncio.open_connection("127.0.0.1", gw.proxy_port) for _ in range(3)]
    out = await raw_exchange(gw.proxy_port, GOOD, local="127.0.0.3")  # another address too
    assert status_of(out) == 503
    for _, w in conns:
        w.close()


async def test_idle_keepalive_connection_closed(start_gateway: StartGateway,
                                                upstream_url: str) -> None:
    from tests.conftest import policy_text

    text = policy_text(upstream_url).replace("grace_period: 5s",
                                             "grace_period: 5s\n  idle_timeout: 500ms")
    gw = await start_gateway(text)
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.proxy_port)
    writer.write(GOOD)
    started = time.monotonic()
    async with asyncio.timeout(5):
        out = await reader.read()  # returns when the gateway closes the idle connection
    assert b" 200 OK" in out
    assert 0.4 < time.monotonic() - started < 3
    writer.close()
