"""Unprotected routes stream: data moves before the other side has finished,
which is impossible if the gateway held the whole body."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import StartGateway, base, policy_text

MiB = 1024 * 1024


@pytest.fixture
async def gated() -> AsyncIterator[tuple[TestServer, asyncio.Event, asyncio.Event]]:
    release = asyncio.Event()  # the test sets it once the first part arrived
    got_first = asyncio.Event()  # set by the upstream when it saw the first request bytes

    async def download(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"a" * MiB)
        await release.wait()
        await resp.write(b"b" * MiB)
        await resp.write_eof()
        return resp

    async def upload(request: web.Request) -> web.Response:
        first = await request.content.readexactly(MiB)
        got_first.set()
        rest = await request.read()
        return web.json_response({"len": len(first) + len(rest)})

    app = web.Application(client_max_size=64 * MiB)
    app.router.add_get("/download", download)
    app.router.add_post("/upload", upload)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, release, got_first
    release.set()
    await server.close()


async def test_response_streams(gated: tuple[TestServer, asyncio.Event, asyncio.Event],
                                start_gateway: StartGateway) -> None:
    server, release, _ = gated
    gw = await start_gateway(policy_text(f"http://127.0.0.1:{server.port}"))
    async with aiohttp.ClientSession() as http, http.get(base(gw) + "/download") as resp:
        async with asyncio.timeout(5):
            first = await resp.content.readexactly(MiB)  # before the upstream finished
        assert first == b"a" * MiB
        release.set()
        assert len(await resp.read()) == MiB


async def test_request_streams(gated: tuple[TestServer, asyncio.Event, asyncio.Event],
                               start_gateway: StartGateway) -> None:
    server, _, got_first = gated
    gw = await start_gateway(policy_text(f"http://127.0.0.1:{server.port}"))
    sent_rest = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield b"x" * MiB
        async with asyncio.timeout(5):
            await got_first.wait()  # the upstream has the first MiB: nothing buffered it
        sent_rest.set()
        yield b"y" * MiB

    async with aiohttp.ClientSession() as http, \
            http.post(base(gw) + "/upload", data=body()) as resp:
        assert resp.status == 200
        assert await resp.json() == {"len": 2 * MiB}
    assert sent_rest.is_set()


async def test_protected_route_buffers(gated: tuple[TestServer, asyncio.Event, asyncio.Event],
                                       start_gateway: StartGateway) -> None:
    """The contrast: on a protected route nothing reaches the client until the
    whole (size-limited) response has been read."""
    server, release, _ = gated
    text = policy_text(f"http://127.0.0.1:{server.port}", max_body="8MiB").replace(
        "path_prefix: /protected}", "path_prefix: /download}\n    on_error: passthrough")
    gw = await start_gateway(text)
    async with aiohttp.ClientSession() as http:
        request = asyncio.create_task(http.get(base(gw) + "/download"))
        await asyncio.sleep(0.5)
        assert not request.done()  # held by the gateway
        release.set()
        resp = await request
        assert len(await resp.read()) == 2 * MiB
        resp.release()
