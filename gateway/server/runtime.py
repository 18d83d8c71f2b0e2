"""One gateway process: proxy listener (guarded), admin listener, reload, drain."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway import eventloop, native
from gateway.app import create_admin_app, create_app, create_state
from gateway.audit.records import keys_record
from gateway.audit.writer import AuditWriter
from gateway.crypto.usage import all_usage
from gateway.obs.logging import flush_logs, get_logger
from gateway.obs.looplag import LAG
from gateway.obs.metrics import LOOP_LAG
from gateway.policy.compiled import CompiledPolicy
from gateway.proxy.protocol import ConnectionGuard, GuardedRequestHandler
from gateway.server.reload import PolicyReloader
from gateway.tls.listener import RotatingContext

log = get_logger("gateway.server")
LINGERING_TIME = 2.0
GC_THRESHOLD = 50_000
USAGE_FLUSH_SECONDS = 5.0
LAG_INTERVAL = 0.25


def split_host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def handler_kwargs(policy: CompiledPolicy) -> dict[str, Any]:
    s = policy.server
    # Keep the URL and header limits distinct: the limit named in aiohttp's
    # LineTooLong is how a parse error is told apart as 414 or 431.
    field_limit = s.max_header_bytes + (1 if s.max_header_bytes == s.max_url_bytes else 0)
    return {
        "keepalive_timeout": s.idle_timeout,
        "max_line_size": s.max_url_bytes,
        "max_field_size": field_limit,
        "max_headers": s.max_headers,
        "auto_decompress": False,
        "access_log": None,
        # After an early error response, read and discard what the client is
        # still sending for at most this long before closing (lingering close).
        "lingering_time": LINGERING_TIME,
    }


class GatewayServer:
    def __init__(self, policy: CompiledPolicy, *, policy_path: str | Path | None = None,
                 upstream_url: str | None = None, worker_id: int = 0,
                 reuse_port: bool = False, listen: str | None = None,
                 admin: str | None = None, extra_apps: tuple[tuple[web.Application, str], ...] = (),
                 tune_gc: bool = True) -> None:
        self.state = create_state(policy, worker_id=worker_id)
        self.listen = listen or policy.server.listen
        self.admin = admin or policy.server.admin
        self.reuse_port = reuse_port
        # TLS on the listeners: the context stays, certificates rotate under it
        self.tls = {name: RotatingContext(ctx) for name, ctx in
                    (("tls", policy.tls.listener), ("admin_tls", policy.tls.admin))
                    if ctx is not None}
        self.reloader = (PolicyReloader(policy_path, self.state, upstream_url, self.tls)
                         if policy_path is not None else None)
        self.extra_apps = extra_apps
        self.tune_gc = tune_gc  # off when embedded in another program (gateway.testing)
        self._runners: list[web.AppRunner] = []
        self._proxy_server: asyncio.Server | None = None
        self._watch: asyncio.Task[None] | None = None
        self._flush: asyncio.Task[None] | None = None
        self._lag: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self.guard: ConnectionGuard | None = None
        self.proxy_port = 0
        self.admin_port = 0

    async def start(self) -> None:
        policy = self.state.policies.current
        kwargs = handler_kwargs(policy)
        for extra, addr in self.extra_apps:  # the demo upstream, in `pii-gateway demo`
            runner = web.AppRunner(extra, access_log=None)
            await runner.setup()
            host, port = split_host_port(addr)
            await web.TCPSite(runner, host, port).start()
            self._runners.append(runner)
        proxy_runner = web.AppRunner(create_app(state=self.state), **kwargs)
        await proxy_runner.setup()
        self._runners.append(proxy_runner)
        self.guard = ConnectionGuard(settings=lambda: self.state.policies.current.server,
                                     url_limit=kwargs["max_line_size"])
        server = proxy_runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        guard = self.guard

        def factory() -> GuardedRequestHandler:
            return GuardedRequestHandler(server, loop=loop, guard=guard, **kwargs)

        host, port = split_host_port(self.listen)
        tls = self.tls.get("tls")
        self._proxy_server = await loop.create_server(
            factory, host, port, reuse_address=True, reuse_port=self.reuse_port or None,
            backlog=1024, ssl=tls.listening if tls else None,
            # a handshake is bounded like the request head that follows it
            ssl_handshake_timeout=policy.server.header_timeout if tls else None,
        )
        self.proxy_port = self._proxy_server.sockets[0].getsockname()[1]
        admin_runner = web.AppRunner(create_admin_app(self.state), access_log=None)
        await admin_runner.setup()
        host, port = split_host_port(self.admin)
        admin_tls = self.tls.get("admin_tls")
        site = web.TCPSite(admin_runner, host, port, reuse_port=self.reuse_port or None,
                           ssl_context=admin_tls.listening if admin_tls else None)
        await site.start()
        self._runners.append(admin_runner)
        sock = next(iter(admin_runner.addresses), None)
        self.admin_port = sock[1] if isinstance(sock, tuple) else port
        if self.reloader is not None:
            self._watch = asyncio.create_task(self.reloader.watch())
        self._flush = asyncio.create_task(flush_usage_every(USAGE_FLUSH_SECONDS))
        self._lag = asyncio.create_task(measure_loop_lag(LAG_INTERVAL))
        self._start_audit(policy)
        if self.tune_gc:
            tune_gc()
        why = native.degraded()
        if why is not None:  # said once, loudly: the slow path is easy to miss
            log.warning("native_core_unavailable", reason=why,
                        effect="bodies are inspected on the pure-Python path (about 20x slower)")
        log.info("listening", proxy_port=self.proxy_port, admin_port=self.admin_port,
                 worker=self.state.worker_id, policy_version=policy.version,
                 native_core=native.STATUS, event_loop=eventloop.running(),
                 tls=sorted(self.tls))

    async def stop(self) -> None:
        """Stop accepting, let in-flight requests finish within the grace period,
        then close everything."""
        if self._stopped.is_set():
            return
        self.state.draining = True
        grace = self.state.policies.current.server.grace_period
        if self._proxy_server is not None:
            self._proxy_server.close()
        for task in (self._watch, self._flush, self._lag):
            if task is not None:
                task.cancel()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.state.idle.wait(), timeout=grace)
        log.info("drained", unfinished=self.state.inflight)
        for runner in reversed(self._runners):
            await runner.cleanup()
        self.state.inspector.close()
        await self.state.limiter.close()
        if self.state.audit is not None:
            await asyncio.to_thread(self.state.audit.close)
        for usage in all_usage():
            usage.flush()
        flush_logs()
        self._stopped.set()

    def _start_audit(self, policy: CompiledPolicy) -> None:
        """The audit writer of this process (its settings need a restart to change)."""
        if policy.audit is None or policy.keys is None:
            return
        kid, key = policy.keys.current("audit")
        writer = AuditWriter(policy.audit, key, kid, self.state.worker_id)
        writer.start()
        self.state.audit = writer
        writer.emit(keys_record(policy.version, policy.keys))

    async def run_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if self.reloader is not None:
            reloader = self.reloader
            loop.add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(reloader.reload("sighup")))
        await stop.wait()
        log.info("shutting_down")
        await self.stop()


async def measure_loop_lag(interval: float) -> None:
    """How late the loop wakes a sleeping task: the event-loop lag metric."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval
        await asyncio.sleep(interval)
        lag = max(0.0, loop.time() - due)
        LOOP_LAG.observe(lag)
        LAG.observe(lag)


async def flush_usage_every(seconds: float) -> None:
    """Save key use counts now and then (file I/O off the event loop)."""
    while True:
        await asyncio.sleep(seconds)
        for usage in all_usage():
            if usage.pending:
                await asyncio.to_thread(usage.flush)


def tune_gc() -> None:
    """Move start-up objects out of the collector's way and collect less often:
    a proxy allocates many short-lived objects per request, and the default
    thresholds (700, 10, 10) run a collection every few requests. Older
    generations are collected rarely too: with inspection on, their collections
    were the 15 ms spikes in the p99 latency (bench/latency_bench.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
