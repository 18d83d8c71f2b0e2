from __future__ import annotations

from gateway.policy.actions import RolesModel
from gateway.protect.roles import RoleResolver, api_key_digest

SALT = "pgw-test-salt"
MODEL = RolesModel.model_validate({
    "default": "anonymous",
    "api_keys": {"header": "X-Api-Key", "salt": SALT,
                 "keys": {api_key_digest(SALT, "risk-secret"): "risk_engine"}},
    "trusted_header": {"name": "X-Caller-Role", "from": ["10.0.0.0/8"]},
})
ROLES = RoleResolver.of(MODEL)


def test_api_keys_by_salted_digest() -> None:
    assert ROLES.resolve({"X-Api-Key": "risk-secret"}, "203.0.113.5") == "risk_engine"
    assert ROLES.resolve({"X-Api-Key": "guess"}, "203.0.113.5") == "anonymous"
    assert ROLES.resolve({}, "203.0.113.5") == "anonymous"
    assert "risk-secret" not in str(MODEL.model_dump())


def test_role_header_only_from_trusted_networks() -> None:
    assert ROLES.resolve({"X-Caller-Role": "collections"}, "10.1.2.3") == "collections"
    assert ROLES.resolve({"X-Caller-Role": "risk_engine"}, "203.0.113.5") == "anonymous"
    for odd in ("13800138000", "张三", "a b", "x" * 65):  # never logged as a role
        assert ROLES.resolve({"X-Caller-Role": odd}, "10.1.2.3") == "anonymous"
    assert ROLES.roles() == {"anonymous", "risk_engine"}
