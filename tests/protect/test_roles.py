from __future__ import annotations

from gateway.policy.actions import RolesModel
from gateway.protect.roles import RoleResolver, api_key_digest
from gateway.tls.peer import PeerCertificate, selector

SALT = "pgw-test-salt"
MODEL = RolesModel.model_validate({
    "default": "anonymous",
    "api_keys": {"header": "X-Api-Key", "salt": SALT,
                 "keys": {api_key_digest(SALT, "risk-secret"): "risk_engine"}},
    "trusted_header": {"name": "X-Caller-Role", "from": ["10.0.0.0/8"]},
})
ROLES = RoleResolver.of(MODEL)


def test_api_keys_by_salted_digest() -> None:
    assert ROLES.resolve("risk-secret", None, "203.0.113.5") == "risk_engine"
    assert ROLES.resolve("guess", None, "203.0.113.5") == "anonymous"
    assert ROLES.resolve(None, None, "203.0.113.5") == "anonymous"
    assert "risk-secret" not in str(MODEL.model_dump())


def test_role_header_only_from_trusted_networks() -> None:
    assert ROLES.resolve(None, "collections", "10.1.2.3") == "collections"
    assert ROLES.resolve(None, "risk_engine", "203.0.113.5") == "anonymous"
    for odd in ("13800138000", "张三", "a b", "x" * 65):  # never logged as a role
        assert ROLES.resolve(None, odd, "10.1.2.3") == "anonymous"
    assert ROLES.roles() == {"anonymous", "risk_engine"}


def test_the_audit_digest_is_a_prefix_of_the_listed_digest_never_the_key() -> None:
    assert ROLES.digest("risk-secret") == api_key_digest(SALT, "risk-secret")[:16]
    assert ROLES.digest(None) is None and ROLES.digest("") is None


def _cert(*selectors: str) -> PeerCertificate:
    return PeerCertificate("f" * 64, frozenset(selector(s) for s in selectors))


def test_a_mapped_certificate_wins_over_an_api_key_but_not_a_trusted_header() -> None:
    roles = RoleResolver.of(MODEL.model_copy(update={"certificates": {
        "CN=partner-a,O=Bank A": "partner"}}))
    partner = _cert("O=Bank A,CN=partner-a")
    assert roles.resolve("risk-secret", None, "203.0.113.5", partner) == "partner"
    assert roles.resolve(None, None, "203.0.113.5", partner) == "partner"
    assert roles.resolve(None, "collections", "10.1.2.3", partner) == "collections"
    # a certificate the policy does not name: the API key decides, as without one
    stranger = _cert("CN=someone-else")
    assert roles.resolve("risk-secret", None, "203.0.113.5", stranger) == "risk_engine"
    assert roles.resolve(None, None, "203.0.113.5", stranger) == "anonymous"
    assert roles.roles() == {"anonymous", "risk_engine", "partner"}
