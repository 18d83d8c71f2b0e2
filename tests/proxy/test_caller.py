"""Who is calling: every header read once, into one Caller."""

from __future__ import annotations

import dataclasses

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.errors import ClientCertificateRequired
from gateway.exchange import Caller
from gateway.http.clientip import resolve_client
from gateway.policy.compiled import CompiledPolicy
from gateway.protect.roles import api_key_digest
from gateway.proxy.caller import resolve_caller
from gateway.tls.peer import PeerCertificate
from tests.conftest import compiled, policy_text

ROLES = """
actions:
  roles:
    default: anonymous
    api_keys: {{header: X-Api-Key, salt: pgw-test-salt, keys: {{{digest}: risk_engine}}}}
    trusted_header: {{name: X-Caller-Role, from: [10.0.0.0/8]}}
"""
LIMITS = """
rate_limits:
  device_header: X-Device-Id
  limits: [{name: per-client, dimensions: [subject, device, ip], rate: 10/s}]
"""


def _caller(peer: str, headers: dict[str, str]) -> tuple[Caller, CIMultiDictProxy[str]]:
    proxy = CIMultiDictProxy(CIMultiDict(headers))
    return Caller(resolve_client(peer, proxy, ())), proxy


def _policy(limits: bool = True) -> CompiledPolicy:
    text = policy_text("http://127.0.0.1:9") + ROLES.format(
        digest=api_key_digest("pgw-test-salt", "risk-secret"))
    return compiled(text + (LIMITS if limits else ""))


def test_a_key_gives_role_digest_and_limiter_keys_at_once() -> None:
    policy = _policy()
    caller, headers = _caller("203.0.113.5", {"X-Api-Key": " risk-secret ", "X-Device-Id": "d1"})
    resolve_caller(caller, headers, policy, policy.routes[0])
    assert caller.role == "risk_engine"
    assert caller.digest == api_key_digest("pgw-test-salt", "risk-secret")[:16]
    assert caller.identity is not None
    assert set(caller.identity.keys) == {"subject", "device", "ip", "net"}
    assert "risk-secret" not in repr(caller)


def test_unprotected_routes_get_no_role_but_are_still_limited() -> None:
    policy = _policy()
    caller, headers = _caller("203.0.113.5", {"X-Api-Key": "risk-secret"})
    stream = next(r for r in policy.routes if not r.protect)
    resolve_caller(caller, headers, policy, stream)
    assert caller.role == "-" and caller.digest is None and caller.identity is not None


def test_a_role_header_counts_only_from_trusted_peers() -> None:
    policy = _policy(limits=False)
    for peer, role in (("10.1.2.3", "collections"), ("203.0.113.5", "anonymous")):
        caller, headers = _caller(peer, {"X-Caller-Role": "collections"})
        resolve_caller(caller, headers, policy, policy.routes[0])
        assert caller.role == role and caller.identity is None


def _partner() -> PeerCertificate:
    return PeerCertificate("ab" * 32, frozenset({"dns:partner-b.example"}))


def test_a_client_certificate_is_kept_by_fingerprint_and_is_the_limiter_subject() -> None:
    policy = _policy()
    caller, headers = _caller("203.0.113.5", {"X-Api-Key": "risk-secret"})
    resolve_caller(caller, headers, policy, policy.routes[0], _partner())
    assert caller.certificate == "ab" * 8
    keyed, _ = _caller("203.0.113.5", {"X-Api-Key": "risk-secret"})
    resolve_caller(keyed, headers, policy, policy.routes[0])
    assert caller.identity is not None and keyed.identity is not None
    assert caller.identity.keys["subject"] != keyed.identity.keys["subject"]


def test_a_route_that_requires_a_certificate_refuses_a_caller_without_one() -> None:
    policy = _policy()
    route = dataclasses.replace(policy.routes[0], require_client_cert=True)
    caller, headers = _caller("203.0.113.5", {"X-Api-Key": "risk-secret"})
    with pytest.raises(ClientCertificateRequired):
        resolve_caller(caller, headers, policy, route)
    resolve_caller(caller, headers, policy, route, _partner())
    assert caller.role == "risk_engine"  # a certificate the policy does not map: the key decides
