"""A real gateway in a background thread, for test suites.

It runs in front of an upstream URL or an aiohttp `Application` (served on
127.0.0.1 in the same thread), with a policy file, on ephemeral ports of
127.0.0.1, and answers any client: `requests`, `urllib`, aiohttp on another
loop, a browser. Starting it does not touch the test process's signal
handlers or garbage collector settings.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from gateway.policy.compiled import CompiledPolicy, compile_file
from gateway.server.runtime import GatewayServer

Upstream = str | web.Application


@dataclass(frozen=True, slots=True)
class RunningGateway:
    url: str  # http(s)://127.0.0.1:PORT of the proxy listener
    admin_url: str
    upstream_url: str
    policy: CompiledPolicy = field(repr=False)

    def __str__(self) -> str:
        return self.url


class GatewayThread:
    def __init__(self, policy: str | Path, upstream: Upstream) -> None:
        self.policy_path = Path(policy)
        self.upstream = upstream
        self.running: RunningGateway | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="pii-gateway", daemon=True)

    def start(self, timeout: float = 60.0) -> RunningGateway:
        """Start and wait until the gateway listens (PolicyError and the like
        are raised here)."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the gateway did not start in time")
        if self._error is not None:
            raise self._error
        assert self.running is not None
        return self.running

    def stop(self, timeout: float = 30.0) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:  # reported to start(); the thread ends
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        runner: web.AppRunner | None = None
        upstream_url = self.upstream if isinstance(self.upstream, str) else ""
        if isinstance(self.upstream, web.Application):
            runner = web.AppRunner(self.upstream, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = next(iter(runner.addresses))[1]
            upstream_url = f"http://127.0.0.1:{port}"
        try:
            policy = compile_file(self.policy_path, upstream_url)
            server = GatewayServer(policy, policy_path=self.policy_path, upstream_url=upstream_url,
                                   listen="127.0.0.1:0", admin="127.0.0.1:0", tune_gc=False)
            await server.start()
            try:
                scheme = "https" if policy.tls.listener is not None else "http"
                admin = "https" if policy.tls.admin is not None else "http"
                self.running = RunningGateway(f"{scheme}://127.0.0.1:{server.proxy_port}",
                                              f"{admin}://127.0.0.1:{server.admin_port}",
                                              upstream_url, policy)
                self._ready.set()
                await self._stop.wait()
            finally:
                await server.stop()
        finally:
            if runner is not None:
                await runner.cleanup()


@contextmanager
def run_gateway(policy: str | Path, upstream: Upstream) -> Iterator[RunningGateway]:
    """`with run_gateway("policies/default.yaml", "http://127.0.0.1:8000") as gw:`"""
    thread = GatewayThread(policy, upstream)
    try:
        yield thread.start()
    finally:
        thread.stop()
