from __future__ import annotations

import ipaddress

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.http.clientip import resolve_client
from gateway.server.runtime import GatewayServer
from tests.conftest import StartGateway, base

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))


def h(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


def test_untrusted_peer_ignores_forwarding_headers() -> None:
    info = resolve_client("203.0.113.9", h(("X-Forwarded-For", "1.2.3.4"),
                                           ("Forwarded", "for=5.6.7.8")), TRUSTED)
    assert info.ip == "203.0.113.9"
    assert not info.peer_trusted
    assert info.forwarded_chain == ()


@pytest.mark.parametrize(("xff", "client"), [
    ("198.51.100.7", "198.51.100.7"),
    ("6.6.6.6, 198.51.100.7", "198.51.100.7"),  # left of the first untrusted hop is spoofable
    ("198.51.100.7, 10.1.1.1", "198.51.100.7"),  # trusted hops are skipped
    ("10.2.2.2, 10.1.1.1", "10.2.2.2"),
    ("garbage, 198.51.100.7", "198.51.100.7"),
    ("198.51.100.7, garbage", "127.0.0.1"),
    ("2001:db8::1", "2001:db8::1"),
])
def test_trusted_peer_walks_xff(xff: str, client: str) -> None:
    info = resolve_client("127.0.0.1", h(("X-Forwarded-For", xff)), TRUSTED)
    assert info.ip == client
    assert info.peer_trusted


def test_forwarded_header_from_trusted_peer() -> None:
    info = resolve_client("127.0.0.1", h(("Forwarded", 'for="[2001:db8::2]:443";proto=https')),
                          TRUSTED)
    assert info.ip == "2001:db8::2"


async def test_untrusted_end_to_end(gateway: GatewayServer, http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/echo/ip", headers={
            "X-Forwarded-For": "6.6.6.6", "Forwarded": "for=6.6.6.6", "X-Real-IP": "6.6.6.6",
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil"}) as resp:
        data = await resp.json()
    headers = {k.lower(): v for k, v in data["headers"]}
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] != "evil"
    assert "forwarded" not in headers
    assert "x-real-ip" not in headers


async def test_trusted_end_to_end(start_gateway: StartGateway,
                                  http: aiohttp.ClientSession) -> None:
    gw = await start_gateway(trusted='["127.0.0.0/8"]')
    async with http.get(base(gw) + "/echo/ip", headers={
            "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "lend.example"}) as resp:
        data = await resp.json()
    headers = {k.lower(): v for k, v in data["headers"]}
    assert headers["x-forwarded-for"] == "198.51.100.7, 127.0.0.1"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-host"] == "lend.example"
