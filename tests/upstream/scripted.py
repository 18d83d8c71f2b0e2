"""A raw TCP upstream for the client's tests: each connection runs a script
that reads requests and writes bytes exactly as given (framing mistakes,
stalls and closes included)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gateway.policy.compiled import CompiledUpstream, Timeouts
from gateway.upstream.pool import Pool

Script = Callable[["Peer"], Awaitable[None]]


@dataclass
class Peer:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    index: int  # 0 for the server's first connection

    async def request(self) -> bytes:
        """One request's head (and a Content-Length body), b"" at EOF."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                head += await self.reader.readexactly(int(line.split(b":")[1]))
        return head

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


@dataclass
class Scripted:
    script: Script
    connections: int = 0
    server: asyncio.Server | None = None
    url: str = ""
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def __aenter__(self) -> Scripted:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = Peer(reader, writer, self.connections)
            self.connections += 1
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)
            try:
                await self.script(peer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            finally:
                writer.close()
                self.tasks.discard(task)

        self.server = await asyncio.start_server(serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def ok(body: bytes = b"hello", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%b\r\n%b" % (len(body), extra, body)


async def answer_each(peer: Peer, response: bytes = ok()) -> None:
    """Keep-alive: answer every request with `response`."""
    while await peer.request():
        await peer.send(response)


def pool_for(url: str, *, max_connections: int = 10, keepalive: float = 30.0) -> Pool:
    return Pool(CompiledUpstream(name="up", url=url, timeouts=TIMEOUTS,
                                 max_connections=max_connections, keepalive=keepalive))


TIMEOUTS = Timeouts(connect=2.0, read=2.0, total=5.0)
