"""BodyStream: reads, the end, failures and flow control."""

from __future__ import annotations

import asyncio

import pytest

from gateway.upstream.body import HIGH, LOW, BodyStream
from gateway.upstream.errors import ConnectionLost


class Flow:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


async def test_read_whole_body() -> None:
    body = BodyStream(Flow())
    body.feed(b"ab")
    body.feed(b"cd")
    asyncio.get_running_loop().call_soon(body.feed, b"ef")
    asyncio.get_running_loop().call_soon(body.feed_eof)
    assert await body.read() == b"abcdef"
    assert body.at_eof() and body.complete
    assert await body.readany() == b""


async def test_readany_waits_for_data() -> None:
    body = BodyStream(Flow())
    task = asyncio.create_task(body.readany())
    await asyncio.sleep(0)
    assert not task.done()
    body.feed(b"x")
    assert await task == b"x"
    assert body.read_nowait() == b"" and not body.at_eof()


async def test_failure_after_the_buffered_data() -> None:
    body = BodyStream(Flow())
    body.feed(b"part")
    body.fail(ConnectionLost())
    assert not body.complete
    assert body.read_nowait() == b"part"
    with pytest.raises(ConnectionLost):
        body.at_eof()
    with pytest.raises(ConnectionLost):
        await body.readany()


async def test_failure_after_the_end_changes_nothing() -> None:
    body = BodyStream(Flow())
    body.feed_eof()
    body.fail(ConnectionLost())
    assert body.complete and await body.read() == b""


async def test_flow_control() -> None:
    flow = Flow()
    body = BodyStream(flow)
    chunk = b"x" * (16 * 1024)
    for _ in range(HIGH // len(chunk) + 1):
        body.feed(chunk)
    assert flow.calls == ["pause"] and body.paused
    while body.paused:
        await body.readany()
    assert flow.calls == ["pause", "resume"]
    body.feed(chunk)
    assert len(body.read_nowait()) < LOW + 2 * len(chunk)
