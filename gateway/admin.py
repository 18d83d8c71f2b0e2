"""Admin listener: /healthz, /readyz, /version. Never exposes key material or values."""

from __future__ import annotations

import asyncio
import platform
import time
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from gateway import __version__, eventloop, native
from gateway.appkeys import STATE
from gateway.obs.metrics import render

admin_routes = web.RouteTableDef()
_PROBE_TIMEOUT = 0.5
_PROBE_TTL = 2.0


async def _reachable(url: str, probes: dict[str, tuple[float, bool]]) -> bool:
    """A TCP connect to the upstream, its answer kept `_PROBE_TTL` seconds in
    `probes` (the process state's)."""
    now = time.monotonic()
    cached = probes.get(url)
    if cached is not None and now - cached[0] < _PROBE_TTL:
        return cached[1]
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ok = False
    try:
        async with asyncio.timeout(_PROBE_TIMEOUT):
            _, writer = await asyncio.open_connection(parts.hostname, port)
            writer.close()
            await writer.wait_closed()
            ok = True
    except (OSError, TimeoutError):
        ok = False
    probes[url] = (now, ok)
    return ok


@admin_routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@admin_routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    state = request.app[STATE]
    policy = state.policies.current
    names = list(policy.upstreams)
    results = await asyncio.gather(*(_reachable(policy.upstreams[n].url, state.probes)
                                     for n in names))
    upstreams = {n: ("reachable" if ok else "unreachable") for n, ok in zip(names, results,
                                                                             strict=True)}
    audit_ok = state.audit is None or state.audit.ready
    ready = not state.draining and audit_ok
    status = "draining" if state.draining else "ready" if audit_ok else "audit_backlogged"
    body = {"status": status, "policy_version": policy.version, "upstreams": upstreams}
    return web.json_response(body, status=200 if ready else 503)


@admin_routes.get("/version")
async def version(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response({
        "gateway": __version__,
        "policy_version": state.policies.current.version,
        "worker": state.worker_id,
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "native_core": native.STATUS,  # "compiled", or why the pure-Python path inspects
        "event_loop": eventloop.running(),
    })


@admin_routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=render(), content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


@admin_routes.get("/limits/penalties")
async def penalties(request: web.Request) -> web.Response:
    """Bans and penalties in force: hashed client keys, never identities."""
    found = await request.app[STATE].limiter.store.penalties()
    return web.json_response({"penalties": [
        {"key": p.key, "action": p.action, "reason": p.reason, "expires_in_s": p.ttl}
        for p in sorted(found, key=lambda p: p.key)]})


@admin_routes.delete("/limits/penalties/{client:[0-9a-f]{24}(?:[0-9a-f]{24})?}")
async def lift_penalty(request: web.Request) -> web.Response:
    """Lift the penalty of a client key: 24 hex digits for `pgw:pen:{<client>}`,
    48 for an address's `pgw:pen:{<network>}<address>` (its network's hash tag)."""
    client = request.match_info["client"]
    key = "pgw:pen:{" + client[:24] + "}" + client[24:]
    lifted = await request.app[STATE].limiter.store.lift(key)
    return web.json_response({"lifted": lifted}, status=200 if lifted else 404)
