"""Shared fixtures: a real upstream on 127.0.0.1 and a real gateway in front of it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.keyring import KeyRing, load_keyring
from gateway.exchange import Caller
from gateway.http.clientip import ClientInfo
from gateway.obs.logging import configure_logging, flush_logs
from gateway.policy.compiled import CompiledPolicy, compile_policy
from gateway.policy.loader import LoadedPolicy, load_policy_file, parse_policy
from gateway.server.runtime import GatewayServer
from tests.redis_processes import RedisClusterProcesses, RedisProcess
from tests.tls.pki import Pki, make_pki

# tests/data/wheel-user is a user's suite that `make wheel-check` runs against
# the installed wheel, with its own pytest.ini; not part of this suite.
collect_ignore = ["data"]

BASE_POLICY = """
version: 1
server:
  listen: 127.0.0.1:0
  admin: 127.0.0.1:0
  header_timeout: {header_timeout}
  body_timeout: {body_timeout}
  max_connections_per_ip: {per_ip}
  max_body_bytes: {max_body}
  grace_period: 5s
  trusted_proxies: {trusted}
upstreams:
  default:
    url: {url}
    timeouts: {{connect: 1s, read: {read}, total: 10s}}
routes:
  - name: protected
    match: {{path_prefix: /protected}}
    protect: true
  - name: stream
    match: {{path_prefix: /}}
    protect: false
"""


def policy_text(url: str, **over: Any) -> str:
    params = {"header_timeout": "10s", "body_timeout": "60s", "per_ip": 256,
              "max_body": "1MiB", "trusted": "[]", "read": "2s", "url": url}
    params.update(over)
    return BASE_POLICY.format(**params)


def single_route_policy(url: str, route: str) -> str:
    """A minimal policy with one route, given as a YAML flow mapping."""
    return (f'version: 1\nserver: {{listen: "127.0.0.1:0", admin: "127.0.0.1:0"}}\n'
            f'upstreams: {{default: {{url: "{url}"}}}}\nroutes:\n  - {route}\n')


def caller_at(ip: str) -> Caller:
    """A caller connecting straight from `ip` (no trusted proxy), not yet resolved."""
    return Caller(ClientInfo(ip=ip, peer=ip, peer_trusted=False, forwarded_chain=()))


def compiled(text: str, source: str = "test.yaml") -> CompiledPolicy:
    model = parse_policy(text, source)
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    return compile_policy(LoadedPolicy(model=model, source=source, version=version))


# --- the test upstream ----------------------------------------------------------------

async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response({
        "method": request.method,
        "raw_path": request.raw_path,
        "headers": [[k, v] for k, v in request.headers.items()],
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body_len": len(body),
    }, headers={"X-Upstream": "yes"})


async def _hop(request: web.Request) -> web.Response:
    resp = web.Response(text="hop", headers={
        "Connection": "X-Secret-Hop", "X-Secret-Hop": "1", "Proxy-Authenticate": "Basic",
        "Keep-Alive": "timeout=5", "X-Kept": "1"})
    return resp


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("delay", "3")))
    return web.json_response({"slow": True})


async def _reset(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.close()
    await asyncio.sleep(0.1)
    return web.Response(text="never")


async def _big(request: web.Request) -> web.StreamResponse:
    size = int(request.query.get("size", str(4 * 1024 * 1024)))
    resp = web.StreamResponse()
    if request.query.get("length") == "1":
        resp.content_length = size
    await resp.prepare(request)
    chunk = b"x" * 65536
    sent = 0
    while sent < size:
        part = chunk[: min(len(chunk), size - sent)]
        await resp.write(part)
        sent += len(part)
    await resp.write_eof()
    return resp


async def _short(request: web.Request) -> web.StreamResponse:
    """Declares `size` bytes, sends half of them, and hangs up."""
    size = int(request.query.get("size", "1000"))
    resp = web.StreamResponse()
    resp.content_length = size
    await resp.prepare(request)
    await resp.write(b"x" * (size // 2))
    assert request.transport is not None
    request.transport.close()
    return resp


async def _status(request: web.Request) -> web.Response:
    return web.json_response({"status": int(request.match_info["code"])},
                             status=int(request.match_info["code"]))


async def _gzip(request: web.Request) -> web.Response:
    import gzip

    return web.Response(body=gzip.compress(b'{"a": 1}'),
                        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})


def upstream_app() -> web.Application:
    app = web.Application(client_max_size=1024**3)
    app.router.add_get("/hop", _hop)
    app.router.add_get("/stream/hop", _hop)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/stream/slow", _slow)
    app.router.add_get("/reset", _reset)
    app.router.add_get("/big", _big)
    app.router.add_get("/short", _short)
    app.router.add_get("/protected/big", _big)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/protected/status/{code}", _status)
    app.router.add_get("/gzip", _gzip)
    app.router.add_route("*", "/{tail:.*}", _echo)
    return app


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[TestServer]:
    """A real aiohttp server for `app` on 127.0.0.1."""
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def upstream() -> AsyncIterator[TestServer]:
    async with serving(upstream_app()) as server:
        yield server


@pytest.fixture
def upstream_url(upstream: TestServer) -> str:
    return f"http://127.0.0.1:{upstream.port}"


StartGateway = Callable[..., Any]


@pytest.fixture
async def start_gateway(upstream_url: str) -> AsyncIterator[StartGateway]:
    """Start a real GatewayServer (guarded listener + admin) on ephemeral ports."""
    servers: list[GatewayServer] = []

    async def start(text: str | None = None, **over: Any) -> GatewayServer:
        server = GatewayServer(compiled(text or policy_text(upstream_url, **over)))
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def gateway(start_gateway: StartGateway) -> GatewayServer:
    server: GatewayServer = await start_gateway()
    return server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        yield session


def base(server: GatewayServer) -> str:
    return f"http://127.0.0.1:{server.proxy_port}"


async def raw_exchange(port: int, data: bytes, *, read_timeout: float = 3.0,
                       host: str = "127.0.0.1", local: str | None = None) -> bytes:
    """Send raw bytes, return everything the server sends until it closes."""
    reader, writer = await asyncio.open_connection(
        host, port, local_addr=(local, 0) if local else None)
    writer.write(data)
    await writer.drain()
    out = b""
    try:
        async with asyncio.timeout(read_timeout):
            while chunk := await reader.read(65536):
                out += chunk
    except TimeoutError:
        pass
    writer.close()
    return out


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0


def json_of(raw: bytes) -> Any:
    """The JSON body of the first response in `raw` (framed by Content-Length)."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    return json.loads(rest[:length])


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA, server and partner certificates on disk (tests/tls/pki.py)."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True, scope="session")
def _dev_keys() -> None:
    """The bundled policies use the development keys (`pii-gateway keys dev`,
    which `make test` runs too): created here when missing."""
    ensure_dev_keys(Path(__file__).resolve().parents[1] / "keys")


@pytest.fixture(autouse=True)
def _json_logs(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "info")


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    flush_logs()
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def make_keyring(directory: Path, warn_at: int | None = None,
                 refuse_at: int | None = None) -> KeyRing:
    """A fresh key store under `directory`, loaded as the gateway loads it."""
    ensure_dev_keys(directory)
    ring = load_keyring(directory / "keystore.json", directory / "master.key",
                        directory / "usage.json")
    if warn_at is not None:
        ring.usage.warn_at = warn_at
    if refuse_at is not None:
        ring.usage.refuse_at = refuse_at
    return ring


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterProcesses]:
    cluster = RedisClusterProcesses(tmp_path_factory.mktemp("redis-cluster")).start()
    yield cluster
    cluster.stop()


def default_policy_gateway(tmp_path: Path, upstream_port: int,
                           edit: Callable[[dict[str, Any]], None] | None = None
                           ) -> GatewayServer:
    """The bundled policies and fresh development keys copied under
    `tmp_path` (audit files land there too), listeners on free ports, a
    gateway (not started) in front of the upstream, reloading from the copy.
    `edit` may change the default policy (as parsed YAML) first."""
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "policies", tmp_path / "policies")
    ensure_dev_keys(tmp_path / "keys")
    path = tmp_path / "policies" / "default.yaml"
    path.write_text(path.read_text().replace("127.0.0.1:8080", "127.0.0.1:0").replace(
        "127.0.0.1:9901", "127.0.0.1:0"))
    if edit is not None:
        policy = yaml.safe_load(path.read_text())
        edit(policy)
        path.write_text(yaml.safe_dump(policy, allow_unicode=True))
    upstream = f"http://127.0.0.1:{upstream_port}"
    return GatewayServer(compile_policy(load_policy_file(path), upstream_url=upstream),
                         policy_path=path, upstream_url=upstream)
