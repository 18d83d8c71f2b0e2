"""The policy file schema, version 1 (pydantic; unknown keys are errors).

This module only describes and validates. `compiled.py` turns a validated model
into the immutable objects request code uses.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from gateway.policy.actions import ActionsModel
from gateway.policy.audit import AuditModel
from gateway.policy.data_classes import DataClassesModel
from gateway.policy.detection import DetectionModel
from gateway.policy.honeytokens import HoneytokensModel
from gateway.policy.keys import KeysModel
from gateway.policy.modelbase import Model
from gateway.policy.ratelimits import RateLimitsModel
from gateway.policy.tls import ListenerTlsModel, UpstreamTlsModel
from gateway.policy.units import Duration, parse_size

Size = Annotated[int, BeforeValidator(parse_size), Field(gt=0)]
HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
)


def _host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError("must be HOST:PORT, for example 127.0.0.1:8080")
    return value


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError("must be an IP address or CIDR network, such as 10.0.0.0/8") from None
    return value


def _upstream_url(value: str) -> str:
    scheme, sep, rest = value.partition("://")
    if scheme not in ("http", "https") or not sep or not rest or rest.startswith("/"):
        raise ValueError("must be an http:// or https:// URL with a host")
    if "?" in rest or "#" in rest:
        raise ValueError("must not carry a query or fragment")
    return value.rstrip("/")


HostPort = Annotated[str, AfterValidator(_host_port)]
Network = Annotated[str, AfterValidator(_network)]
UpstreamUrl = Annotated[str, AfterValidator(_upstream_url)]


class ServerModel(Model):
    listen: HostPort = "127.0.0.1:8080"
    admin: HostPort = "127.0.0.1:9901"
    header_timeout: Duration = 10.0
    body_timeout: Duration = 60.0
    idle_timeout: Duration = 75.0
    grace_period: Duration = 15.0
    max_connections: int = Field(default=1024, gt=0)
    max_connections_per_ip: int = Field(default=256, gt=0)
    max_url_bytes: int = Field(default=8190, ge=256, le=65536)
    max_header_bytes: int = Field(default=8190, ge=256, le=65536)
    max_headers: int = Field(default=100, gt=0, le=1000)
    max_body_bytes: Size = 10 * 1024 * 1024
    trusted_proxies: tuple[Network, ...] = ()
    metrics: bool = True  # record request metrics for /metrics
    tls: ListenerTlsModel | None = None  # HTTPS (and mutual TLS) on `listen`
    admin_tls: ListenerTlsModel | None = None  # HTTPS on `admin`


class TimeoutsModel(Model):
    connect: Duration = 5.0
    read: Duration = 30.0
    total: Duration = 60.0


class UpstreamModel(Model):
    url: UpstreamUrl | None = None
    timeouts: TimeoutsModel = TimeoutsModel()
    max_connections: int = Field(default=100, gt=0)
    keepalive: Duration = 30.0
    tls: UpstreamTlsModel | None = None  # for https:// URLs


class MatchModel(Model):
    path_prefix: str = "/"
    methods: tuple[str, ...] | None = None
    host: str | None = None

    @field_validator("path_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("methods")
    @classmethod
    def _methods(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        upper = tuple(m.upper() for m in value)
        unknown = [m for m in upper if m not in HTTP_METHODS]
        if unknown:
            raise ValueError(f"unknown method; expected some of {sorted(HTTP_METHODS)}")
        return upper


class RouteModel(Model):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    match: MatchModel = MatchModel()
    upstream: str = "default"
    timeouts: TimeoutsModel | None = None
    max_body_bytes: Size | None = None
    protect: bool = True
    on_error: Literal["block", "passthrough"] = "block"
    # part of every ciphertext's context; routes sharing data share a class
    data_class: str | None = Field(default=None, min_length=1, max_length=64)
    # when the rate-limit store (Redis) is down: 503 instead of a local fallback
    sensitive: bool = False
    # 403 without a verified client certificate (server.tls.client_auth: optional)
    require_client_cert: bool = False


class LoggingModel(Model):
    format: Literal["auto", "json", "console"] = "auto"
    level: Literal["debug", "info", "warning", "error"] = "info"


class PolicyModel(Model):
    version: Literal[1]
    server: ServerModel = ServerModel()
    upstreams: dict[str, UpstreamModel]
    routes: tuple[RouteModel, ...]
    logging: LoggingModel = LoggingModel()
    detection: DetectionModel = DetectionModel()
    data_classes: DataClassesModel = DataClassesModel()
    actions: ActionsModel = ActionsModel()
    keys: KeysModel = KeysModel()
    rate_limits: RateLimitsModel = RateLimitsModel()
    audit: AuditModel | None = None
    honeytokens: HoneytokensModel | None = None
