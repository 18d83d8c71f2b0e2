"""The gateway middleware: framing checks, request id, client identity, errors
rendered as JSON, in-flight accounting and one access line per request."""

from __future__ import annotations

import asyncio
from functools import partial

import structlog
from aiohttp import web
from aiohttp.http import HttpVersion10, HttpVersion11
from aiohttp.typedefs import Handler

from gateway.appkeys import EXCHANGE, STATE
from gateway.errors import (
    AmbiguousFraming,
    BadRequest,
    GatewayError,
    InternalError,
    UnsupportedVersion,
)
from gateway.exchange import Caller, Exchange, LimitDecision, LimitEvent
from gateway.http.canonical import log_safe
from gateway.http.clientip import resolve_client
from gateway.obs.logging import access_enabled, access_line, get_logger
from gateway.obs.tracing import trace_id
from gateway.proxy.audit_records import request_records
from gateway.proxy.headers import request_id_from
from gateway.proxy.observe import observe_exchange
from gateway.proxy.protocol import GuardedRequestHandler

_CLIENT_CLOSED = 499  # nginx's code for a client that went away first
# The access line's entry of a request whose one limit event is a decision,
# by decision: made once, shared by every line that shows it (read, never
# changed: the line only serializes it). At most _LOGGED_MOST decisions.
_LOGGED: dict[LimitDecision, list[dict[str, object]]] = {}
_LOGGED_MOST = 4096


def check_framing(request: web.BaseRequest) -> None:
    """What llhttp lets through but a proxy must not (nginx's rules)."""
    if request.version not in (HttpVersion10, HttpVersion11):
        raise UnsupportedVersion()
    headers = request.headers
    has_te = "Transfer-Encoding" in headers
    if has_te and "Content-Length" in headers:
        raise AmbiguousFraming()
    if has_te and request.version == HttpVersion10:
        raise AmbiguousFraming()
    if len(headers.getall("Content-Length", ())) > 1 or len(headers.getall("Host", ())) > 1:
        raise AmbiguousFraming()
    if request.version == HttpVersion11 and "Host" not in headers:
        raise BadRequest()


def error_response(err: GatewayError, ex: Exchange) -> web.Response:
    resp = web.json_response(err.body(ex.request_id), status=err.status, headers=err.headers)
    if err.close_connection:
        resp.force_close()
    ex.error_code = err.code
    ex.error = err
    return resp


@web.middleware
async def gateway_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE]
    policy = state.policies.current  # this request keeps this policy to its end
    proto = request.protocol if isinstance(request.protocol, GuardedRequestHandler) else None
    if proto is not None:
        proto.request_started()
    info = resolve_client(request.remote, request.headers, policy.server.trusted_proxies)
    ex = Exchange(request_id=request_id_from(request.headers.get("X-Request-ID")),
                  policy=policy, caller=Caller(info), method=request.method,
                  trace_id=trace_id(request.headers.get("traceparent")))
    request[EXCHANGE] = ex
    structlog.contextvars.bind_contextvars(request_id=ex.request_id)
    state.request_began()
    resp: web.StreamResponse | None = None
    try:
        check_framing(request)
        resp = await handler(request)
    except GatewayError as err:
        resp = error_response(err, ex)
    except asyncio.CancelledError:
        ex.status = _CLIENT_CLOSED
        raise
    except Exception as exc:
        get_logger("gateway.error").error("unhandled_error", exc_type=type(exc).__name__)
        resp = error_response(InternalError(), ex)
    finally:
        state.request_ended()
        if proto is not None:
            proto.request_finished()
        if resp is not None:
            ex.status = resp.status
            if state.draining:
                resp.force_close()
            if not resp.prepared and isinstance(resp, web.Response) and resp.body is not None:
                ex.bytes_out = resp.content_length or 0
        latency_ms = ex.latency_ms()
        _access_line(ex, latency_ms)
        if ex.policy.server.metrics:
            observe_exchange(ex, latency_ms)
        if state.audit is not None:
            records = partial(request_records, ex, state.audit.reveal_fields)
            about = {"request_id": ex.request_id, "route": ex.route.name if ex.route else None}
            if not state.audit.hand_over(records, about):  # the queue is full: wait for room
                await state.audit.emit_later(records, about)
    assert resp is not None
    return resp


async def add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response, streamed or not, carries the id."""
    ex = request.get(EXCHANGE)
    if ex is not None:
        response.headers["X-Request-ID"] = ex.request_id
        if ex.rate_headers is not None:
            response.headers.update(ex.rate_headers)


def _access_line(ex: Exchange, latency_ms: float) -> None:
    if not access_enabled():
        return
    access_line({
        "client": ex.caller.ip,
        "route": ex.route.name if ex.route else "-",
        "method": ex.method,
        "path": log_safe(ex.target),
        "status": ex.status,
        "error": ex.error_code,
        "bytes_in": ex.bytes_in,
        "bytes_out": ex.bytes_out,
        "latency_ms": latency_ms,
        "upstream_latency_ms": ex.upstream_latency_ms,
        "policy_version": ex.policy.version,
        "role": ex.caller.role,
        "pii": {direction: {f"{entity}:{op}": n for (entity, op), n in counts.items()}
                for direction, counts in ex.pii.items()} or None,
        "limits": limits_log(ex.limits),
        "trace_id": ex.trace_id,
    }, ex.request_id)


def limits_log(events: list[LimitEvent]) -> list[dict[str, object]] | None:
    """The access line's `limits`: each event's `as_log()`, None without
    events. The usual request has one event, its limit decision (admitted,
    so many requests share the same few): that entry is made once per
    distinct decision: ~0.10 µs where a list and a dict a request took
    ~0.33 (bench/README.md, sixteenth session)."""
    if not events:
        return None
    if len(events) == 1 and (event := events[0]).__class__ is LimitDecision:
        found = _LOGGED.get(event)
        if found is None:
            found = [event.as_log()]
            if len(_LOGGED) < _LOGGED_MOST:
                _LOGGED[event] = found
        return found
    return [event.as_log() for event in events]
