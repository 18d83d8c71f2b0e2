"""Who is calling: every header read once, into one Caller."""

from __future__ import annotations

from multidict import CIMultiDict, CIMultiDictProxy

from gateway.exchange import Caller
from gateway.http.clientip import resolve_client
from gateway.policy.compiled import CompiledPolicy
from gateway.protect.roles import api_key_digest
from gateway.proxy.caller import resolve_caller
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
