"""The policy's `actions:` section: caller roles and protection rules (schema)."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import Field, field_validator

from gateway.policy.modelbase import Model
from gateway.tls.peer import CertificateRoles

Direction = Literal["request", "response", "both"]


class ApiKeysModel(Model):
    header: str = Field(default="X-Api-Key", min_length=1, max_length=64)
    salt: str = Field(min_length=8, max_length=128)
    keys: dict[str, str] = Field(default_factory=dict)  # sha256(salt + key) hex -> role

    @field_validator("keys")
    @classmethod
    def _hashes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if len(k) != 64 or any(c not in "0123456789abcdef" for c in k)]
        if bad:
            raise ValueError("keys are hex SHA-256 digests of salt + API key "
                             "(`pii-gateway keys api-key-hash`), never the keys themselves")
        return value


class TrustedHeaderModel(Model):
    name: str = Field(min_length=1, max_length=64)
    trusted_from: tuple[str, ...] = Field(alias="from", min_length=1)

    @field_validator("trusted_from")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for net in value:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError("must be IP addresses or CIDR networks") from None
        return value


class RolesModel(Model):
    default: str = Field(default="anonymous", min_length=1, max_length=64)
    api_keys: ApiKeysModel | None = None
    trusted_header: TrustedHeaderModel | None = None
    # verified client certificate (mutual TLS) -> role; see gateway/tls/peer.py
    certificates: dict[str, str] = Field(default_factory=dict)

    @field_validator("certificates")
    @classmethod
    def _selectors(cls, value: dict[str, str]) -> dict[str, str]:
        CertificateRoles.of(value)  # raises ValueError naming what is wrong
        return value


class DefaultsModel(Model):
    request: str = "keep"
    response: str = "mask"


class RuleModel(Model):
    name: str = Field(min_length=1, max_length=64)
    routes: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    direction: Direction = "both"
    roles: tuple[str, ...] | None = None
    fields: tuple[str, ...] | None = None
    classes: tuple[str, ...] | None = None  # data classes (gateway/detect/data_classes.yaml)
    entities: tuple[str, ...] | None = None
    operator: str
    params: dict[str, Any] = Field(default_factory=dict)


class ActionsModel(Model):
    hash_key_file: str | None = None
    # File parts of multipart bodies are not inspected: refuse them (block),
    # let them pass (allow), or let only these media types pass.
    multipart_files: Literal["allow", "block"] | tuple[str, ...] = "block"
    # Headers (both directions) and request cookies that carry personal data.
    inspect_headers: tuple[str, ...] = ()
    inspect_cookies: tuple[str, ...] = ()
    defaults: DefaultsModel = DefaultsModel()
    roles: RolesModel = RolesModel()
    rules: tuple[RuleModel, ...] = ()
