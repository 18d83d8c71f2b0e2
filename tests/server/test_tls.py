"""TLS at the edge with real handshakes on 127.0.0.1: HTTPS and mutual TLS on
the listener, certificates mapped to roles and limiter subjects, refusals,
rotation under load, the admin listener's own TLS, and verified TLS to upstreams."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509

from gateway.policy.compiled import compile_file
from gateway.server.runtime import GatewayServer
from tests.conftest import log_lines, upstream_app
from tests.server.helpers import serve_process
from tests.tls.pki import Pki, make_pki

POLICY = """version: 1
server:
  listen: 127.0.0.1:0
  admin: 127.0.0.1:0
  grace_period: 5s
  tls: {{cert: pki/server.crt, key: pki/server.key, client_ca: pki/ca.crt,
         client_auth: {client_auth}}}
  admin_tls: {{cert: pki/server.crt, key: pki/server.key}}
upstreams:
  default:
    url: {url}
{upstream_tls}
routes:
  - name: partners
    match: {{path_prefix: /partners}}
    require_client_cert: true
  - name: all
    match: {{path_prefix: /}}
actions:
  roles:
    certificates:
      "CN=partner-a,O=Bank A": partner
      "dns:partner-b.example": collections
rate_limits:
  limits:
    - {{name: per-subject, dimensions: [subject], rate: 1/m, burst: 2}}
"""

Start = Callable[..., Awaitable[GatewayServer]]


def write_policy(directory: Path, pki: Pki, url: str, *, client_auth: str = "optional",
                 upstream_tls: str = "") -> Path:
    if not (directory / "pki").exists():
        shutil.copytree(pki.directory, directory / "pki")
    path = directory / "policy.yaml"
    path.write_text(POLICY.format(url=url, client_auth=client_auth, upstream_tls=upstream_tls))
    return path


@pytest.fixture
async def start(tmp_path: Path, pki: Pki, upstream_url: str) -> AsyncIterator[Start]:
    servers: list[GatewayServer] = []

    async def go(**kw: Any) -> GatewayServer:
        path = write_policy(tmp_path, pki, kw.pop("url", upstream_url), **kw)
        server = GatewayServer(compile_file(path), policy_path=path)
        await server.start()
        servers.append(server)
        return server

    yield go
    for server in servers:
        await server.stop()


async def get(server: GatewayServer, pki: Pki, path: str, cert: str = "",
              **headers: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(
            f"https://127.0.0.1:{server.proxy_port}{path}", ssl=pki.client(cert),
            headers=headers) as r:
        return r.status, await r.json()


def access(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [r for r in log_lines(capsys) if r.get("event") == "access"]


async def test_https_with_and_without_client_certificates(
        start: Start, pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    server = await start()
    status, body = await get(server, pki, "/echo")
    assert status == 200 and ["X-Forwarded-Proto", "https"] in body["headers"]
    assert (await get(server, pki, "/echo", "partner-a"))[0] == 200
    assert (await get(server, pki, "/echo", "partner-b"))[0] == 200
    roles = [r["role"] for r in access(capsys)]
    assert roles == ["anonymous", "partner", "collections"]


async def test_a_route_that_requires_a_certificate_answers_403_without_one(
        start: Start, pki: Pki) -> None:
    server = await start()
    status, body = await get(server, pki, "/partners/loans")
    assert status == 403 and body["error"] == "client_certificate_required"
    assert (await get(server, pki, "/partners/loans", "partner-a"))[0] == 200


@pytest.mark.parametrize("cert", ["expired", "stranger"])
async def test_expired_and_foreign_certificates_fail_the_handshake(
        start: Start, pki: Pki, cert: str) -> None:
    server = await start()
    with pytest.raises(aiohttp.ClientError):
        await get(server, pki, "/echo", cert)


async def test_required_client_auth_refuses_a_handshake_without_a_certificate(
        start: Start, pki: Pki) -> None:
    server = await start(client_auth="required")
    with pytest.raises(aiohttp.ClientError):
        await get(server, pki, "/echo")
    assert (await get(server, pki, "/echo", "partner-b"))[0] == 200


async def test_plain_http_to_the_tls_listener_gets_nothing(start: Start) -> None:
    server = await start()
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError):
            async with http.get(f"http://127.0.0.1:{server.proxy_port}/echo") as r:
                await r.read()


async def test_the_certificate_is_the_limiter_subject(start: Start, pki: Pki) -> None:
    """partner-a's budget is its own, whatever API key it sends; partner-b's
    is untouched by partner-a's."""
    server = await start()
    codes = [(await get(server, pki, "/echo", "partner-a", **{"X-Api-Key": f"k{i}"}))[0]
             for i in range(3)]
    assert codes == [200, 200, 429]
    assert (await get(server, pki, "/echo", "partner-b"))[0] == 200


async def test_a_rotated_certificate_serves_new_handshakes_without_dropping_inflight(
        tmp_path: Path, upstream_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki(tmp_path / "ca")
    path = write_policy(tmp_path, pki, upstream_url)
    server = GatewayServer(compile_file(path), policy_path=path)
    await server.start()
    url = f"https://127.0.0.1:{server.proxy_port}"
    try:
        async with aiohttp.ClientSession() as http:
            slow = asyncio.create_task(_status(http, url + "/slow?delay=1", pki))
            await asyncio.sleep(0.3)
            fresh = issue_fresh(tmp_path / "pki", pki)
            assert server.reloader is not None and await server.reloader.reload("test")
            assert await slow == 200  # the in-flight request finished on its connection
        assert await _serial(server.proxy_port, pki) == fresh.cert.serial_number
        # a mismatched pair is refused; the certificate in service stays
        shutil.copy(tmp_path / "pki" / "partner-a.key", tmp_path / "pki" / "server.key")
        assert not await server.reloader.reload("test")
        assert await _serial(server.proxy_port, pki) == fresh.cert.serial_number
        rejected = [r for r in log_lines(capsys) if r.get("event") == "policy_reload_rejected"]
        assert "does not match" in rejected[-1]["errors"][0]
    finally:
        await server.stop()


def issue_fresh(directory: Path, pki: Pki) -> Any:
    from gateway.tls.devcerts import issue
    fresh = issue(pki.ca, "gateway", names=("127.0.0.1",))
    fresh.write(directory, "server")
    return fresh


async def _status(http: aiohttp.ClientSession, url: str, pki: Pki) -> int:
    async with http.get(url, ssl=pki.client("")) as r:
        await r.read()
        return r.status


async def _serial(port: int, pki: Pki) -> int:
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=pki.client(""))
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    return x509.load_der_x509_certificate(der).serial_number


async def test_the_admin_listener_has_its_own_tls(start: Start, pki: Pki) -> None:
    server = await start()
    async with aiohttp.ClientSession() as http, http.get(
            f"https://127.0.0.1:{server.admin_port}/healthz", ssl=pki.client("")) as r:
        assert r.status == 200


# --- upstream TLS ---------------------------------------------------------------------------


def _upstream_context(pki: Pki, client_auth: bool) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.path("upstream"), pki.path("upstream", "key"))
    if client_auth:
        ctx.load_verify_locations(pki.path("ca"))
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


async def _seen_cert(request: web.Request) -> web.Response:
    ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
    peer = ssl_object.getpeercert() if ssl_object else None
    return web.json_response({"client_cert": dict(x[0] for x in peer["subject"]) if peer else None})


@pytest.fixture
async def https_upstream(pki: Pki) -> AsyncIterator[Callable[[bool], Awaitable[int]]]:
    servers: list[TestServer] = []

    async def go(client_auth: bool) -> int:
        app = upstream_app()
        app.router.add_get("/seen-cert", _seen_cert)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server(ssl=_upstream_context(pki, client_auth))
        servers.append(server)
        assert server.port is not None
        return server.port

    yield go
    for server in servers:
        await server.close()


@pytest.mark.parametrize(("upstream_tls", "status", "error"), [
    # pinned CA and the name in the upstream's certificate
    ("    tls: {ca: pki/ca.crt, server_name: upstream.internal}", 200, None),
    # the system store does not know the test CA
    ("", 502, "upstream_certificate_invalid"),
    # a CA that did not issue the upstream's certificate
    ("    tls: {ca: pki/impostor.crt}", 502, "upstream_certificate_invalid"),
    # the pinned CA, but a name the certificate does not carry
    ("    tls: {ca: pki/ca.crt, server_name: other.internal}", 502,
     "upstream_certificate_invalid"),
    # explicitly off (and warned about at load)
    ("    tls: {insecure_skip_verify: true, server_name: other.internal}", 200, None),
])
async def test_upstream_certificates_are_verified(
        start: Start, pki: Pki, https_upstream: Callable[[bool], Awaitable[int]],
        upstream_tls: str, status: int, error: str | None) -> None:
    port = await https_upstream(False)
    server = await start(url=f"https://127.0.0.1:{port}", upstream_tls=upstream_tls)
    got, body = await get(server, pki, "/echo")
    assert got == status
    assert body.get("error") == error


async def test_upstream_mutual_tls_presents_the_client_certificate(
        start: Start, pki: Pki, https_upstream: Callable[[bool], Awaitable[int]]) -> None:
    port = await https_upstream(True)
    server = await start(url=f"https://127.0.0.1:{port}", upstream_tls=(
        "    tls: {ca: pki/ca.crt, client_cert: pki/partner-b.crt, "
        "client_key: pki/partner-b.key}"))
    status, body = await get(server, pki, "/seen-cert")
    assert status == 200 and body["client_cert"]["commonName"] == "partner-b"
    refusing = await start(url=f"https://127.0.0.1:{port}",
                           upstream_tls="    tls: {ca: pki/ca.crt}")
    status, body = await get(refusing, pki, "/seen-cert")
    assert status == 502 and body["error"] in {"upstream_tls_failed", "upstream_unavailable"}


async def test_a_served_process_on_uvloop_maps_partners_and_rotates_on_sighup(
        tmp_path: Path, upstream_url: str) -> None:
    """`pii-gateway serve` as operators run it (uvloop, SIGHUP): the handshake
    switch works on uvloop's TLS as on asyncio's."""
    pki = make_pki(tmp_path / "ca")
    path = write_policy(tmp_path, pki, upstream_url)
    path.write_text("\n".join(line for line in path.read_text().splitlines()
                              if "admin_tls" not in line))
    proc = serve_process(path, tmp_path, "--loop", "uvloop")
    await proc.start()
    try:
        url = f"https://127.0.0.1:{proc.proxy_port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/partners/x", ssl=pki.client("partner-a")) as r:
                assert r.status == 200
            async with http.get(url + "/partners/x", ssl=pki.client("")) as r:
                assert r.status == 403
        fresh = issue_fresh(tmp_path / "pki", pki)
        proc.signal(signal.SIGHUP)
        for _ in range(50):
            if await _serial(proc.proxy_port, pki) == fresh.cert.serial_number:
                break
            await asyncio.sleep(0.1)
        assert await _serial(proc.proxy_port, pki) == fresh.cert.serial_number
    finally:
        proc.stop()
    lines = [json.loads(x) for x in proc.log.read_text().splitlines() if x.startswith("{")]
    assert [x["role"] for x in lines if x.get("event") == "access"] == ["partner", "-"]
    assert any(x.get("event") == "listening" and x.get("event_loop") == "uvloop" for x in lines)


async def test_changing_client_auth_on_reload_is_logged_as_needing_a_restart(
        start: Start, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = await start()
    path = tmp_path / "policy.yaml"
    path.write_text(path.read_text().replace("client_auth: optional", "client_auth: required"))
    assert server.reloader is not None and await server.reloader.reload("test")
    warned = [r for r in log_lines(capsys) if r.get("event") == "policy_tls_change_needs_restart"]
    assert [r["setting"] for r in warned] == ["server.tls"]
    # the listener still asks as it did at start: a client without a certificate connects
    assert (await get(server, pki, "/echo"))[0] == 200
