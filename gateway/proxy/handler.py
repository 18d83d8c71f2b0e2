"""The proxy handler: canonical target -> route -> upstream -> response."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from gateway.appkeys import EXCHANGE, STATE
from gateway.errors import (
    GatewayError,
    NoRoute,
    RateLimited,
    UpstreamBodyTooLarge,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.exchange import Exchange
from gateway.http.canonical import Target, canonicalize
from gateway.http.clientip import ClientInfo
from gateway.policy.compiled import CompiledRoute
from gateway.protect.offload import Job, ProcessInspector
from gateway.protect.pipeline import inspect_body, inspect_headers, inspect_query
from gateway.proxy.body import (
    CHUNK,
    TooLarge,
    read_capped,
    read_request_body,
    stream_request_body,
)
from gateway.proxy.caller import resolve_caller
from gateway.proxy.headers import REQUEST_REPLACED, end_to_end
from gateway.proxy.ratelimit_stage import after_response, before_request
from gateway.ratelimit.limiter import StoreHolder

_NO_BODY_STATUS = frozenset({204, 304})
# Headers that describe the upstream's bytes, wrong once the body is rewritten.
_STALE_WHEN_REWRITTEN = ("Content-Encoding", "ETag", "Content-MD5", "Digest", "Content-Range")


def hostname(host: str | None) -> str | None:
    """The Host header without its port ("[::1]:80" -> "[::1]", "a.cn:8080" -> "a.cn")."""
    if not host:
        return None
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def upstream_headers(request: web.Request, ex: Exchange, info: ClientInfo,
                     buffered: bool) -> CIMultiDict[str]:
    drop = REQUEST_REPLACED | {"content-length"} if buffered else REQUEST_REPLACED
    headers = end_to_end(request.headers.items(), drop=drop)
    incoming = request.headers
    xff = [*info.forwarded_chain, info.peer] if info.peer_trusted else [info.peer]
    headers["X-Forwarded-For"] = ", ".join(xff)
    proto = incoming.get("X-Forwarded-Proto") if info.peer_trusted else None
    headers["X-Forwarded-Proto"] = proto or request.scheme
    fwd_host = incoming.get("X-Forwarded-Host") if info.peer_trusted else None
    host = fwd_host or incoming.get("Host")
    if host:
        headers["X-Forwarded-Host"] = host
    if info.peer_trusted and "Forwarded" in incoming:
        for value in incoming.getall("Forwarded"):
            headers.add("Forwarded", value)
    headers["X-Request-ID"] = ex.request_id
    return headers


async def proxy_handler(request: web.Request) -> web.StreamResponse:
    ex = request[EXCHANGE]
    pool = request.app[STATE].pool
    target: Target = canonicalize(request.raw_path)
    ex.target = target
    route = ex.policy.route_for(request.method, hostname(request.headers.get("Host")),
                                target.path)
    if route is None:
        raise NoRoute()
    ex.route = route
    forward = target.forward
    limiter = request.app[STATE].limiter
    resolve_caller(ex.caller, request.headers, ex.policy, route)
    # limits and request-side detectors; may serve the client under a stricter role
    await before_request(ex, route, limiter, target.path, target.query)
    protection = ex.policy.protection
    if route.protect and target.query:
        plan = protection.plan(route.name, request.method, "request", ex.caller.role)
        query, outcome = inspect_query(target.query, plan, ex.policy.detector)
        ex.record("request", outcome.counts)
        forward = f"{target.encoded_path}?{query}"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ex.policy.server.body_timeout
    body: bytes | AsyncIterator[bytes] | None = None
    if request.body_exists:
        declared = request.content_length
        if route.protect:
            body = await read_request_body(request.content, ex, route.max_body_bytes,
                                           declared, deadline)
        elif declared is not None and declared <= CHUNK:
            # one chunk's worth: reading it whole costs no more memory than streaming
            body = await read_request_body(request.content, ex, CHUNK, declared, deadline)
        else:
            body = stream_request_body(request.content, ex, deadline)
    decoded = False
    if route.protect and isinstance(body, bytes) and body:
        body, decoded, _ = await _inspect(ex, route, "request", body,
                                       request.headers.get("Content-Type"),
                                       request.headers.get("Content-Encoding"), request.method,
                                       request.app[STATE].inspector)
    headers = upstream_headers(request, ex, ex.caller.client,
                               buffered=isinstance(body, bytes))
    if decoded:
        headers.popall("Content-Encoding", None)
    if route.protect:
        _inspect_headers(ex, route, "request", headers, request.method)
    if isinstance(body, bytes) and len(body) > CHUNK:
        headers["Content-Length"] = str(len(body))
        body = _slices(body)
    sent = time.perf_counter()
    try:
        async with pool.request(route, request.method, forward, headers, body) as up:
            ex.upstream_latency_ms = round((time.perf_counter() - sent) * 1000, 3)
            if route.protect:
                return await _buffered_response(up, ex, route, request.method,
                                                request.app[STATE].inspector, limiter)
            streamed = await _streamed_response(request, up, ex)
            with contextlib.suppress(RateLimited):  # sent already: penalties still hold
                await after_response(ex, route, limiter, up.status, None)
            return streamed
    except GatewayError:
        raise
    except TimeoutError:
        raise ex.client_body_error or UpstreamTimeout() from None
    except aiohttp.ClientError:
        raise ex.client_body_error or UpstreamUnavailable() from None


async def _slices(body: bytes) -> AsyncIterator[bytes]:
    """A buffered body, written in chunks with the transport's flow control."""
    view = memoryview(body)
    for start in range(0, len(view), CHUNK):
        yield bytes(view[start:start + CHUNK])


def _response_headers(up: aiohttp.ClientResponse) -> CIMultiDict[str]:
    return end_to_end(up.headers.items(), drop=frozenset({"content-length"}))


async def _inspect(ex: Exchange, route: CompiledRoute, direction: str, body: bytes,
                   content_type: str | None, encoding: str | None, method: str,
                   inspector: ProcessInspector
                   ) -> tuple[bytes, bool, dict[str, set[str]] | None]:
    """The body to send on, whether it was rewritten as identity, and (for the
    exposure budget, on responses) the personal-data values it carried."""
    plan = ex.policy.protection.plan(route.name, method, direction, ex.caller.role)
    limits = ex.policy.limits
    collect = direction == "response" and (
        (limits is not None and limits.exposure is not None) or ex.policy.audit is not None)
    job = Job(ex.policy.source, ex.policy.version, route.name, method, direction, ex.caller.role,
              body, content_type, encoding, route.max_body_bytes, collect)
    began = time.perf_counter()
    ex.body_bytes[direction] = len(body)
    inspected = await inspect_body(
        body, content_type=content_type, encoding=encoding, limit=route.max_body_bytes,
        plan=plan, detector=ex.policy.detector, direction=direction, route=route.name,
        passthrough=route.on_error == "passthrough",
        file_types=ex.policy.protection.file_types, process=(inspector, job),
        usage=ex.policy.keys.usage if ex.policy.keys is not None else None, collect=collect)
    ex.inspect_seconds[direction] = time.perf_counter() - began
    if inspected.outcome is None:
        return inspected.body, inspected.decoded, None
    ex.record(direction, inspected.outcome.counts)
    if inspected.outcome.reveals:
        ex.reveals = inspected.outcome.reveals
    return inspected.body, inspected.decoded, inspected.outcome.values


def _inspect_headers(ex: Exchange, route: CompiledRoute, direction: str,
                     headers: CIMultiDict[str], method: str) -> None:
    protection = ex.policy.protection
    cookies = protection.cookie_names if direction == "request" else frozenset()
    if not protection.header_names and not cookies:
        return
    plan = protection.plan(route.name, method, direction, ex.caller.role)
    outcome = inspect_headers(headers, protection.header_names, cookies, plan,
                              ex.policy.detector, direction)
    if outcome is not None:
        ex.record(direction, outcome.counts)


async def _buffered_response(up: aiohttp.ClientResponse, ex: Exchange, route: CompiledRoute,
                             method: str, inspector: ProcessInspector,
                             limiter: StoreHolder) -> web.Response:
    if method == "HEAD":  # no body follows; the upstream's Content-Length describes the GET
        head = end_to_end(up.headers.items())
        _inspect_headers(ex, route, "response", head, method)
        await after_response(ex, route, limiter, up.status, None)
        return web.Response(status=up.status, reason=up.reason, headers=head)
    try:
        data = await read_capped(up.content, route.max_body_bytes, up.content_length)
    except TooLarge:
        raise UpstreamBodyTooLarge() from None
    headers = _response_headers(up)
    _inspect_headers(ex, route, "response", headers, method)
    values = None
    if data and up.status not in _NO_BODY_STATUS:
        data, decoded, values = await _inspect(ex, route, "response", data,
                                               up.headers.get("Content-Type"),
                                               up.headers.get("Content-Encoding"), method,
                                               inspector)
        if decoded:
            for name in _STALE_WHEN_REWRITTEN:
                headers.popall(name, None)
    # the exposure budget may still refuse this response (429)
    await after_response(ex, route, limiter, up.status, values)
    if up.status in _NO_BODY_STATUS:
        return web.Response(status=up.status, reason=up.reason, headers=headers)
    resp = web.Response(status=up.status, reason=up.reason, headers=headers)
    resp.body = data
    return resp


async def _streamed_response(request: web.Request, up: aiohttp.ClientResponse,
                             ex: Exchange) -> web.StreamResponse:
    resp = web.StreamResponse(status=up.status, reason=up.reason,
                              headers=_response_headers(up))
    if up.content_length is not None and up.status not in _NO_BODY_STATUS:
        resp.content_length = up.content_length
    await resp.prepare(request)
    ex.status = up.status
    try:
        async for chunk in up.content.iter_chunked(CHUNK):
            ex.bytes_out += len(chunk)
            await resp.write(chunk)
    except (aiohttp.ClientError, TimeoutError):
        # Headers are gone; the only honest signal left is a broken connection.
        ex.error_code = "upstream_aborted"
        if request.transport is not None:
            request.transport.close()
        return resp
    await resp.write_eof()
    return resp
