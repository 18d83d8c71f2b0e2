"""Who is calling, worked out once per request.

The API key, device id and role headers, and the client certificate proved in
the TLS handshake, are read here and nowhere else: the
role (protected routes), the audit trail's caller digest (protected routes)
and the limiter's keys per dimension (when the policy limits) all come from
the one reading. The key is not stored on the exchange.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from gateway.errors import ClientCertificateRequired
from gateway.exchange import Caller
from gateway.policy.compiled import CompiledPolicy, CompiledRoute
from gateway.tls.peer import PeerCertificate, peer_certificate


def _header(headers: Mapping[str, str], name: str | None) -> str | None:
    value = headers.get(name) if name else None
    return value.strip() or None if value else None


def client_certificate(request: web.BaseRequest) -> PeerCertificate | None:
    """The certificate the client proved in the handshake (mutual TLS), if any."""
    transport = request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    return peer_certificate(ssl_object.getpeercert(binary_form=True)) if ssl_object else None


def resolve_caller(caller: Caller, headers: Mapping[str, str], policy: CompiledPolicy,
                   route: CompiledRoute, cert: PeerCertificate | None = None) -> None:
    if cert is not None:
        caller.certificate = cert.short
    elif route.require_client_cert:
        raise ClientCertificateRequired()
    roles = policy.protection.roles
    key = _header(headers, roles.key_header)
    if route.protect:
        caller.role = roles.resolve(key, _header(headers, roles.role_header), caller.client.peer,
                                    cert)
        caller.digest = roles.digest(key)
    limits = policy.limits
    if limits is not None:
        identifier = limits.identifier
        caller.identity = identifier.identify(key, _header(headers, identifier.device_header),
                                              caller.ip, cert.fingerprint if cert else None)
