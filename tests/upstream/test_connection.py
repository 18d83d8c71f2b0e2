"""Connection: one exchange at a time, parsed by llhttp, against a raw upstream
that frames its responses in every way HTTP/1.1 allows (and some it does not)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from multidict import CIMultiDict

from gateway.policy.compiled import Timeouts
from gateway.upstream.connection import MAX_HEAD_BYTES, MAX_HEADERS
from gateway.upstream.errors import BadResponse, ConnectionLost, RequestBodyFailed
from tests.upstream.scripted import Peer, Scripted, answer_each, ok, pool_for

FAST = Timeouts(connect=1.0, read=0.3, total=1.0)


async def _get(url: str, script_pool: object = None, method: str = "GET",
               timeouts: Timeouts = FAST) -> tuple[int, str, CIMultiDict[str], bytes]:
    pool = pool_for(url)
    try:
        async with pool.request(method, "/x", CIMultiDict(), None, timeouts) as up:
            return up.status, up.reason, CIMultiDict(up.headers), await up.read()
    finally:
        await pool.close()


async def _respond(raw: bytes, close: bool = True) -> Scripted:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(raw)
        if not close:
            await asyncio.sleep(5)
    return Scripted(script)


@pytest.mark.parametrize(("raw", "body"), [
    (ok(b"plain"), b"plain"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
     b"abcde"),
    (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", b"until the end"),
    (b"HTTP/1.0 200 OK\r\n\r\nold style", b"old style"),
    (b"HTTP/1.1 204 No Content\r\n\r\n", b""),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok(b"x"),
     b"x"),
])
async def test_response_framings(raw: bytes, body: bytes) -> None:
    async with await _respond(raw) as server:
        status, _, headers, got = await _get(server.url)
    assert got == body and status in (200, 204)
    assert "Link" not in headers  # the informational response's headers are not the response's


async def test_status_reason_and_headers_as_sent() -> None:
    raw = (b"HTTP/1.1 404 Not Here\r\nX-Multi: a\r\nx-multi: b\r\nX-Raw: caf\xe9\r\n"
           b"Content-Length: 0\r\n\r\n")
    async with await _respond(raw) as server:
        status, reason, headers, _ = await _get(server.url)
    assert (status, reason) == (404, "Not Here")
    assert headers.getall("X-Multi") == ["a", "b"]
    assert headers["X-Raw"].encode("utf-8", "surrogateescape") == b"caf\xe9"


@pytest.mark.parametrize("raw", [
    b"garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
])
async def test_broken_responses_are_refused(raw: bytes) -> None:
    async with await _respond(raw, close=False) as server:
        with pytest.raises(BadResponse) as err:
            await _get(server.url)
    assert "garbage" not in str(err.value)


async def test_closed_before_the_head() -> None:
    async with await _respond(b"") as server:
        with pytest.raises(ConnectionLost):
            await _get(server.url)


async def test_closed_in_the_middle_of_the_body() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part"
    async with await _respond(raw) as server:
        with pytest.raises(ConnectionLost):
            await _get(server.url)


async def test_read_timeout_on_a_silent_upstream() -> None:
    async with await _respond(b"", close=False) as server:
        loop = asyncio.get_running_loop()
        began = loop.time()
        with pytest.raises(TimeoutError):
            await _get(server.url)
        assert 0.25 < loop.time() - began < 0.9  # the read timeout, not the total


async def test_read_timeout_counts_silence_not_the_whole_body() -> None:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n")
        for part in (b"ab", b"cd", b"ef"):  # 0.6 s in all, never 0.3 s silent
            await asyncio.sleep(0.2)
            await peer.send(part)

    async with Scripted(script) as server:
        status, _, _, body = await _get(server.url)
    assert (status, body) == (200, b"abcdef")


async def test_total_deadline_ends_a_trickle() -> None:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(100):
            await asyncio.sleep(0.1)
            await peer.send(b"x")

    async with Scripted(script) as server:
        with pytest.raises(TimeoutError):
            await _get(server.url)


async def test_head_response_has_no_body_and_its_connection_is_not_reused() -> None:
    async with Scripted(lambda peer: answer_each(peer, ok(b"x" * 10))) as server:
        pool = pool_for(server.url)
        async with pool.request("HEAD", "/", CIMultiDict(), None, FAST) as up:
            assert up.status == 200 and up.content_length == 10
            assert await up.read() == b""
        async with pool.request("GET", "/", CIMultiDict(), None, FAST) as up:
            assert await up.read() == b"x" * 10
        await pool.close()
    assert server.connections == 2


async def test_unasked_bytes_on_an_idle_connection_end_it() -> None:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok(b"first") + ok(b"nobody asked"))
        await asyncio.sleep(5)

    async with Scripted(script) as server:
        pool = pool_for(server.url)
        async with pool.request("GET", "/", CIMultiDict(), None, FAST) as up:
            assert await up.read() == b"first"
        await asyncio.sleep(0.05)
        assert server.connections == 1
        async with pool.request("GET", "/", CIMultiDict(), None, FAST) as up:
            assert await up.read() == b"first"  # a new connection's first answer
        await pool.close()
    assert server.connections == 2


async def test_streamed_request_body_is_chunked() -> None:
    seen: list[bytes] = []

    async def script(peer: Peer) -> None:
        seen.append(await peer.reader.readuntil(b"0\r\n\r\n"))
        await peer.send(ok())

    async def parts() -> AsyncIterator[bytes]:
        for part in (b"abc", b"", b"defgh"):
            yield part

    async with Scripted(script) as server:
        pool = pool_for(server.url)
        async with pool.request("POST", "/u", CIMultiDict(), parts(), FAST) as up:
            assert await up.read() == b"hello"
        await pool.close()
    assert seen[0].endswith(b"\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n")
    assert b"Transfer-Encoding: chunked\r\n" in seen[0]


async def test_a_failing_request_body_fails_the_exchange() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"abc"
        raise TimeoutError  # what the client's body reader raises on its deadline

    async with Scripted(lambda peer: asyncio.sleep(5)) as server:
        pool = pool_for(server.url)
        with pytest.raises(RequestBodyFailed):
            async with pool.request("POST", "/u", CIMultiDict(), parts(), FAST):
                pass
        await pool.close()


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (MAX_HEAD_BYTES + 1) + b"\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * (MAX_HEADERS + 1) + b"Content-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Endless: " + b"a" * (4 * MAX_HEAD_BYTES),  # never ends
])
async def test_response_heads_are_capped(raw: bytes) -> None:
    async with await _respond(raw, close=False) as server:
        with pytest.raises(BadResponse):
            await _get(server.url)


async def test_a_large_body_right_behind_a_small_head_is_no_large_head() -> None:
    body = b"x" * (3 * MAX_HEAD_BYTES)
    async with await _respond(ok(body)) as server:
        status, _, _, got = await _get(server.url)
    assert status == 200 and got == body
