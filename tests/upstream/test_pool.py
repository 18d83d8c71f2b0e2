"""Pool: keep-alive reuse, the connection cap, idle expiry, the one retry of a
request the upstream closed on, and errors while connecting."""

from __future__ import annotations

import asyncio
import socket

import pytest
from multidict import CIMultiDict

from gateway.policy.compiled import Timeouts
from gateway.upstream.errors import ConnectFailed, ConnectionLost
from gateway.upstream.pool import Pool
from tests.upstream.scripted import TIMEOUTS, Peer, Scripted, answer_each, ok, pool_for


async def _get(pool: object, method: str = "GET", body: bytes | None = None,
               timeouts: Timeouts = TIMEOUTS) -> bytes:
    async with pool.request(method, "/", CIMultiDict(), body, timeouts) as up:  # type: ignore[attr-defined]
        return await up.read()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("extra", "connections"), [
    (b"", 1),  # keep-alive: one connection serves them all
    (b"Connection: close\r\n", 3),  # honoured: a new connection for each
])
async def test_connections_are_reused_unless_the_upstream_closes_them(
        extra: bytes, connections: int) -> None:
    async with Scripted(lambda p: answer_each(p, ok(extra=extra))) as server:
        pool = pool_for(server.url)
        for _ in range(3):
            assert await _get(pool) == b"hello"
        await pool.close()
    assert server.connections == connections


async def test_a_response_left_unread_closes_its_connection() -> None:
    async def script(peer: Peer) -> None:
        if peer.index == 0:  # half a body, then nothing
            await peer.request()
            await peer.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf.")
            await asyncio.sleep(5)
        await answer_each(peer)

    async with Scripted(script) as server:
        pool = pool_for(server.url)
        with pytest.raises(RuntimeError):
            async with pool.request("GET", "/", CIMultiDict(), None, TIMEOUTS):
                raise RuntimeError
        assert await _get(pool) == b"hello"
        await pool.close()
    assert server.connections == 2


async def _read_then_refuse(pool: Pool) -> None:
    async with pool.request("GET", "/", CIMultiDict(), None, TIMEOUTS) as up:
        await up.read()
        raise RuntimeError  # e.g. a limit refused the response after it was read


async def test_a_complete_response_keeps_its_connection_whatever_the_handler_did() -> None:
    async with Scripted(answer_each) as server:
        pool = pool_for(server.url)
        async with pool.request("GET", "/", CIMultiDict(), None, TIMEOUTS) as up:
            await up.read()
        with pytest.raises(RuntimeError):
            await _read_then_refuse(pool)
        assert await _get(pool) == b"hello"
        await pool.close()
    assert server.connections == 1


async def test_cap_on_open_connections() -> None:
    async def slow(peer: Peer) -> None:
        while await peer.request():
            await asyncio.sleep(0.05)
            await peer.send(ok())

    async with Scripted(slow) as server:
        pool = pool_for(server.url, max_connections=2)
        bodies = await asyncio.gather(*(_get(pool) for _ in range(6)))
        await pool.close()
    assert bodies == [b"hello"] * 6 and server.connections == 2


async def test_waiting_for_a_connection_counts_against_the_deadline() -> None:
    async with Scripted(lambda peer: asyncio.sleep(5)) as server:
        pool = pool_for(server.url, max_connections=1)
        quick = Timeouts(connect=1.0, read=0.5, total=0.3)
        first = asyncio.create_task(_get(pool, timeouts=Timeouts(1.0, 0.5, 0.5)))
        await asyncio.sleep(0.05)
        with pytest.raises(TimeoutError):
            await _get(pool, timeouts=quick)  # never got the only connection
        with pytest.raises(TimeoutError):
            await first
        await pool.close()
    async with Scripted(answer_each) as server:  # the slot was given back
        pool = pool_for(server.url, max_connections=1)
        assert await _get(pool) == b"hello"
        await pool.close()


async def test_idle_connections_expire() -> None:
    closed = asyncio.Event()

    async def script(peer: Peer) -> None:
        await answer_each(peer)
        closed.set()

    async with Scripted(script) as server:
        pool = pool_for(server.url, keepalive=0.1)
        assert await _get(pool) == b"hello"
        async with asyncio.timeout(2):
            await closed.wait()
        assert await _get(pool) == b"hello"
        await pool.close()
    assert server.connections == 2


async def _closes_the_second_request(peer: Peer) -> None:
    """Answers the first request; on the second, closes without a word (an
    upstream whose idle timeout struck just as the request was sent)."""
    if peer.index == 0:
        await peer.request()
        await peer.send(ok(b"first"))
        await peer.request()
        return
    await answer_each(peer, ok(b"again"))


async def test_idempotent_request_is_sent_again_on_a_new_connection() -> None:
    async with Scripted(_closes_the_second_request) as server:
        pool = pool_for(server.url)
        assert await _get(pool) == b"first"
        assert await _get(pool) == b"again"
        await pool.close()
    assert server.connections == 2


async def test_post_is_not_sent_twice() -> None:
    async with Scripted(_closes_the_second_request) as server:
        pool = pool_for(server.url)
        assert await _get(pool) == b"first"
        with pytest.raises(ConnectionLost):
            await _get(pool, "POST", b"{}")
        assert await _get(pool) == b"again"
        await pool.close()


async def test_connect_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pool = pool_for(f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectFailed) as err:
        await _get(pool)
    assert str(port) not in str(err.value)
    await pool.close()


async def test_base_path_and_host_header() -> None:
    seen: list[bytes] = []

    async def script(peer: Peer) -> None:
        seen.append(await peer.request())
        await peer.send(ok())

    async with Scripted(script) as server:
        pool = pool_for(server.url + "/api/v2")
        async with pool.request("GET", "/loans?id=1", CIMultiDict({"X-A": "1"}), None,
                                TIMEOUTS) as up:
            await up.read()
        await pool.close()
    host = server.url.removeprefix("http://")
    assert seen == [f"GET /api/v2/loans?id=1 HTTP/1.1\r\nHost: {host}\r\nX-A: 1\r\n\r\n"
                    .encode()]


async def test_a_connection_lost_while_handed_over_is_not_waited_on() -> None:
    async with Scripted(answer_each) as server:
        pool = pool_for(server.url, max_connections=1)
        conn, response = await pool.send("GET", "/", CIMultiDict(), None, TIMEOUTS)
        await response.read()
        waiting = asyncio.create_task(_get(pool))
        await asyncio.sleep(0.01)
        assert conn.transport is not None
        conn.transport.abort()  # the loop hears of it only on its next turn...
        pool.release(conn)  # ...after handing the connection to the waiting request
        assert await asyncio.wait_for(waiting, 1) == b"hello"
        await pool.close()


async def test_every_stale_idle_connection_is_passed_over() -> None:
    """An upstream that restarted: all three idle connections are dead."""
    async def script(peer: Peer) -> None:
        if peer.index < 3:
            await peer.request()
            await peer.send(ok(b"before"))
            await peer.request()  # then gone without a word
            return
        await answer_each(peer, ok(b"after"))

    async with Scripted(script) as server:
        pool = pool_for(server.url)
        assert await asyncio.gather(*(_get(pool) for _ in range(3))) == [b"before"] * 3
        assert await _get(pool) == b"after"
        await pool.close()
    assert server.connections == 4


async def test_the_target_goes_out_byte_for_byte() -> None:
    """An empty query keeps its `?` (aiohttp's client, through yarl, dropped it)."""
    seen: list[bytes] = []

    async def script(peer: Peer) -> None:
        while head := await peer.request():
            seen.append(head.split(b"\r\n")[0])
            await peer.send(ok())

    async with Scripted(script) as server:
        pool = pool_for(server.url)
        for target in ("/path?", "/a%2Fb?x=%E5%BC%A0&y", "/p;q"):
            async with pool.request("GET", target, CIMultiDict(), None, TIMEOUTS) as up:
                await up.read()
        await pool.close()
    assert seen == [b"GET /path? HTTP/1.1", b"GET /a%2Fb?x=%E5%BC%A0&y HTTP/1.1",
                    b"GET /p;q HTTP/1.1"]
