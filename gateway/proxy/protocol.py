"""The connection guard aiohttp lacks, as a RequestHandler subclass.

- a deadline for receiving a request's headers (from the first byte of a
  request, or from the connection's start);
- caps on concurrent connections in total and per peer IP (trusted proxies
  are exempt from the per-IP cap: they carry many clients);
- parser errors rendered as JSON 400/414/431 without echoing the bad bytes,
  with the connection closed.

The idle keep-alive timeout is aiohttp's own ``keepalive_timeout``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, BadStatusLine, LineTooLong
from aiohttp.web_protocol import RequestHandler

from gateway.errors import (
    BadRequest,
    GatewayError,
    HeadersTooLarge,
    InternalError,
    UnsupportedVersion,
    UriTooLong,
)
from gateway.http.clientip import is_trusted
from gateway.obs.logging import get_logger
from gateway.policy.compiled import ServerSettings
from gateway.proxy.headers import request_id_from

log = get_logger("gateway.connection")


def _canned(status: int, reason: str, code: str, message: str) -> bytes:
    body = json.dumps({"error": code, "message": message}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


TOO_MANY_CONNECTIONS = _canned(503, "Service Unavailable", "too_many_connections",
                               "connection limit reached")
HEADER_TIMEOUT = _canned(408, "Request Timeout", "header_timeout",
                         "the request headers were not received in time")


@dataclass
class ConnectionGuard:
    """Shared by every connection of one listener; reads limits per connection
    from the current policy so a reload applies to new connections."""

    settings: Callable[[], ServerSettings]
    url_limit: int
    total: int = 0
    per_ip: Counter[str] = field(default_factory=Counter)

    def admit(self, ip: str) -> bool:
        s = self.settings()
        if self.total >= s.max_connections:
            return False
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            addr = None
        if not is_trusted(addr, s.trusted_proxies) and self.per_ip[ip] >= s.max_connections_per_ip:
            return False
        self.total += 1
        self.per_ip[ip] += 1
        return True

    def release(self, ip: str) -> None:
        self.total -= 1
        self.per_ip[ip] -= 1
        if self.per_ip[ip] <= 0:
            del self.per_ip[ip]


def classify_parse_error(exc: BaseException | None, url_limit: int) -> GatewayError:
    if isinstance(exc, LineTooLong):
        # The URL limit and the header limit are configured to differ, so the
        # limit named in the exception tells which one was exceeded.
        return UriTooLong() if exc.args[1] == url_limit else HeadersTooLarge()
    if isinstance(exc, BadHttpMessage) and "Too many headers" in str(exc):
        return HeadersTooLarge()
    if isinstance(exc, BadStatusLine) and "Invalid HTTP version" in str(exc):
        return UnsupportedVersion()
    if isinstance(exc, BadHttpMessage):
        return BadRequest()
    return InternalError()


class GuardedRequestHandler(RequestHandler):
    __slots__ = ("_admitted", "_guard", "_head_timer", "_in_request", "_peer_ip", "_seen_bytes")

    def __init__(self, manager: web.Server, *, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._guard = guard
        self._peer_ip = "unknown"
        self._admitted = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_request = False
        self._seen_bytes = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        self._peer_ip = str(peer[0]) if peer else "unknown"
        if not self._guard.admit(self._peer_ip):
            log.warning("connection_rejected", reason="connection_limit")
            assert isinstance(transport, asyncio.Transport)
            transport.write(TOO_MANY_CONNECTIONS)
            transport.close()
            return
        self._admitted = True
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if not self._in_request and self._head_timer is None:
            self._arm_head_timer()
        if not self._in_request:
            self._seen_bytes = True
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_head_timer()
        if self._admitted:
            self._admitted = False
            self._guard.release(self._peer_ip)
        super().connection_lost(exc)

    # Called by the gateway middleware around each request.
    def request_started(self) -> None:
        self._cancel_head_timer()
        self._in_request = True
        self._seen_bytes = False

    def request_finished(self) -> None:
        self._in_request = False

    def _arm_head_timer(self) -> None:
        timeout = self._guard.settings().header_timeout
        self._head_timer = self._loop.call_later(timeout, self._on_head_timeout)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _on_head_timeout(self) -> None:
        self._head_timer = None
        if self._in_request or self.transport is None:
            return
        log.info("header_timeout", partial=self._seen_bytes)
        if self._seen_bytes:
            self.transport.write(HEADER_TIMEOUT)
        self.force_close()
        self.transport.close()

    def handle_error(self, request: web.BaseRequest, status: int = 500,
                     exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        """Render parser and last-resort errors as JSON; never echo the input."""
        if request.writer.output_size > 0:
            raise ConnectionError("response already started")
        err = (classify_parse_error(exc, self._guard.url_limit) if status == 400
               else InternalError())
        request_id = request_id_from(None)
        log.info("access", request_id=request_id, client=self._peer_ip, route="-",
                 method="-", path="-", status=err.status, error=err.code,
                 exc_type=type(exc).__name__ if exc else None)
        resp = web.json_response(err.body(request_id), status=err.status,
                                 headers={"X-Request-ID": request_id})
        resp.force_close()
        return resp
