"""Who is calling, worked out once per request.

The API key, device id and role headers are read here and nowhere else: the
role (protected routes), the audit trail's caller digest (protected routes)
and the limiter's keys per dimension (when the policy limits) all come from
the one reading. The key is not stored on the exchange.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.exchange import Caller
from gateway.policy.compiled import CompiledPolicy, CompiledRoute


def _header(headers: Mapping[str, str], name: str | None) -> str | None:
    value = headers.get(name) if name else None
    return value.strip() or None if value else None


def resolve_caller(caller: Caller, headers: Mapping[str, str], policy: CompiledPolicy,
                   route: CompiledRoute) -> None:
    roles = policy.protection.roles
    key = _header(headers, roles.key_header)
    if route.protect:
        caller.role = roles.resolve(key, _header(headers, roles.role_header), caller.client.peer)
        caller.digest = roles.digest(key)
    limits = policy.limits
    if limits is not None:
        identifier = limits.identifier
        caller.identity = identifier.identify(key, _header(headers, identifier.device_header),
                                              caller.ip)
