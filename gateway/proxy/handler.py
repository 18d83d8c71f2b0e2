"""The proxy handler: canonical target -> route -> upstream -> response."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from aiohttp import web
from multidict import CIMultiDict

from gateway.appkeys import EXCHANGE, STATE
from gateway.errors import (
    BadRequest,
    GatewayError,
    NoRoute,
    RateLimited,
    UpstreamBodyTooLarge,
    UpstreamCertificateInvalid,
    UpstreamTimeout,
    UpstreamTlsFailed,
    UpstreamUnavailable,
)
from gateway.exchange import Exchange
from gateway.http.canonical import Target, canonicalize
from gateway.http.clientip import ClientInfo
from gateway.policy.compiled import CompiledRoute
from gateway.protect.offload import ProcessInspector
from gateway.proxy.body import (
    CHUNK,
    TooLarge,
    read_capped,
    read_request_body,
    stream_request_body,
)
from gateway.proxy.caller import client_certificate, resolve_caller
from gateway.proxy.detectors import honeytoken_served
from gateway.proxy.headers import REQUEST_REPLACED, end_to_end
from gateway.proxy.inspection import Inspection
from gateway.proxy.ratelimit_stage import after_response, before_request
from gateway.ratelimit.limiter import StoreHolder
from gateway.upstream.connection import UpstreamResponse
from gateway.upstream.errors import CertificateInvalid, TlsFailed, UpstreamError
from gateway.upstream.request import InvalidHeader

_NO_BODY_STATUS = frozenset({204, 304})
# Headers that describe the upstream's bytes, wrong once the body is rewritten.
_STALE_WHEN_REWRITTEN = ("Content-Encoding", "ETag", "Content-MD5", "Digest", "Content-Range")
# Request headers that would make a protected route's response partial (206),
# which cannot be inspected: dropped, so the client gets the whole body, inspected.
_WHOLE_BODY_ONLY = ("Range", "If-Range")


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
    """One request, stage by stage (the middleware around it made the exchange
    and turns errors into responses)."""
    ex = request[EXCHANGE]
    state = request.app[STATE]
    # 1. the canonical target and the route
    target: Target = canonicalize(request.raw_path)
    ex.target = target
    route = ex.policy.route_for(request.method, hostname(request.headers.get("Host")),
                                target.path)
    if route is None:
        raise NoRoute()
    ex.route = route
    # 2. who is calling: role, audit digest, limiter keys
    resolve_caller(ex.caller, request.headers, ex.policy, route, client_certificate(request))
    # 3. limits and request-side detectors; may serve the client under a stricter role
    waiting = before_request(ex, route, state.limiter, target.path, target.query)
    if waiting is not None:  # only when it must wait: in memory most requests need not
        await waiting
    # 4. the request's query, body and headers, inspected on a protected route
    inspection = (Inspection.of(ex, route, request.method, "request", state.inspector)
                  if route.protect else None)
    forward = target.forward
    if inspection is not None and target.query:
        forward = f"{target.encoded_path}?{inspection.query(target.query)}"
    body = await _request_body(request, ex, route)
    decoded = False
    if inspection is not None and isinstance(body, bytes) and body:
        body, decoded = await inspection.body(body, request.headers.get("Content-Type"),
                                                 request.headers.get("Content-Encoding"))
    headers = upstream_headers(request, ex, ex.caller.client,
                               buffered=isinstance(body, bytes))
    if decoded:
        headers.popall("Content-Encoding", None)
    if inspection is not None:
        for name in _WHOLE_BODY_ONLY:  # a part of a body cannot be inspected: ask for all of it
            headers.popall(name, None)
        inspection.headers(headers)
    if isinstance(body, bytes) and len(body) > CHUNK:
        headers["Content-Length"] = str(len(body))
        body = _slices(body)
    # 5. the upstream; 6. its response, inspected (protected) or streamed
    return await _forward(request, ex, route, forward, headers, body)


async def _request_body(request: web.Request, ex: Exchange, route: CompiledRoute
                        ) -> bytes | AsyncIterator[bytes] | None:
    """Buffered on a protected route (it is inspected) or when it fits one chunk;
    streamed otherwise."""
    if not request.body_exists:
        return None
    deadline = asyncio.get_running_loop().time() + ex.policy.server.body_timeout
    declared = request.content_length
    if route.protect:
        return await read_request_body(request.content, ex, route.max_body_bytes, declared,
                                       deadline)
    if declared is not None and declared <= CHUNK:
        # one chunk's worth: reading it whole costs no more memory than streaming
        return await read_request_body(request.content, ex, CHUNK, declared, deadline)
    return stream_request_body(request.content, ex, deadline)


async def _forward(request: web.Request, ex: Exchange, route: CompiledRoute, forward: str,
                   headers: CIMultiDict[str], body: bytes | AsyncIterator[bytes] | None
                   ) -> web.StreamResponse:
    state = request.app[STATE]
    sent = time.perf_counter()
    try:
        async with state.pool.request(route, request.method, forward, headers, body) as up:
            ex.upstream_latency_ms = int((time.perf_counter() - sent) * 1_000_000 + 0.5) / 1000
            if route.protect:
                return await _buffered_response(up, ex, route, request.method,
                                                state.inspector, state.limiter)
            streamed = await _streamed_response(request, up, ex)
            with contextlib.suppress(RateLimited):  # sent already: penalties still hold
                waiting = after_response(ex, route, state.limiter, up.status, None)
                if waiting is not None:
                    await waiting
            return streamed
    except GatewayError:
        raise
    except TimeoutError:
        raise ex.client_body_error or UpstreamTimeout() from None
    except CertificateInvalid:
        raise UpstreamCertificateInvalid() from None
    except TlsFailed:
        raise UpstreamTlsFailed() from None
    except InvalidHeader:
        raise BadRequest() from None
    except UpstreamError:
        raise ex.client_body_error or UpstreamUnavailable() from None


async def _slices(body: bytes) -> AsyncIterator[bytes]:
    """A buffered body, written in chunks with the transport's flow control."""
    view = memoryview(body)
    for start in range(0, len(view), CHUNK):
        yield bytes(view[start:start + CHUNK])


def _response_headers(up: UpstreamResponse) -> CIMultiDict[str]:
    return end_to_end(up.headers.items(), drop=frozenset({"content-length"}))


async def _buffered_response(up: UpstreamResponse, ex: Exchange, route: CompiledRoute,
                             method: str, inspector: ProcessInspector,
                             limiter: StoreHolder) -> web.Response:
    inspection = Inspection.of(ex, route, method, "response", inspector)
    if method == "HEAD":  # no body follows; the upstream's Content-Length describes the GET
        head = end_to_end(up.headers.items())
        inspection.headers(head)
        waiting = after_response(ex, route, limiter, up.status, None)
        if waiting is not None:
            await waiting
        return web.Response(status=up.status, reason=up.reason, headers=head)
    try:
        data = await read_capped(up.content, route.max_body_bytes, up.content_length)
    except TooLarge:
        raise UpstreamBodyTooLarge() from None
    headers = _response_headers(up)
    inspection.headers(headers)
    if data and up.status not in _NO_BODY_STATUS:
        data, decoded = await inspection.body(data, up.headers.get("Content-Type"),
                                              up.headers.get("Content-Encoding"))
        if decoded:
            for name in _STALE_WHEN_REWRITTEN:
                headers.popall(name, None)
    if ex.honeytoken is not None:  # someone reads in bulk: ban, then refuse (403)
        await honeytoken_served(ex, route, limiter)
    # the exposure budget may still refuse this response (429); what the
    # response showed in full is merged for it only when there is one
    limits = ex.policy.limits
    waiting = after_response(ex, route, limiter, up.status,
                             ex.revealed() if limits is not None and limits.exposure is not None
                             else None)
    if waiting is not None:
        await waiting
    if up.status in _NO_BODY_STATUS:
        return web.Response(status=up.status, reason=up.reason, headers=headers)
    resp = web.Response(status=up.status, reason=up.reason, headers=headers)
    resp.body = data
    return resp


async def _streamed_response(request: web.Request, up: UpstreamResponse,
                             ex: Exchange) -> web.StreamResponse:
    length = up.content_length
    if length is not None and length <= CHUNK and request.method != "HEAD" \
            and up.status not in _NO_BODY_STATUS:
        # One chunk's worth, read whole and sent with the headers in one write
        # (a StreamResponse writes its headers on their own: a second syscall).
        # A short body fails here, before any byte went out: a 502.
        data = await up.read()
        ex.status = up.status
        ex.bytes_out = len(data)
        return web.Response(status=up.status, reason=up.reason,
                            headers=_response_headers(up), body=data)
    resp = web.StreamResponse(status=up.status, reason=up.reason,
                              headers=_response_headers(up))
    if up.content_length is not None and up.status not in _NO_BODY_STATUS:
        resp.content_length = up.content_length
    await resp.prepare(request)
    ex.status = up.status
    try:
        while chunk := await up.content.readany():
            ex.bytes_out += len(chunk)
            await resp.write(chunk)
    except (UpstreamError, TimeoutError):
        # Headers are gone; the only honest signal left is a broken connection.
        ex.error_code = "upstream_aborted"
        if request.transport is not None:
            request.transport.close()
        return resp
    await resp.write_eof()
    return resp
