"""The policy's TLS settings: `server.tls`, `server.admin_tls` and
`upstreams.<name>.tls` (schema), and the SSL contexts built from them once per
load. Paths are relative to the policy file."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import Field, model_validator

from gateway.obs.logging import get_logger
from gateway.policy.modelbase import Model
from gateway.tls.context import (
    ListenerFiles,
    TlsError,
    UpstreamFiles,
    files_digest,
    listener_context,
    upstream_context,
)

log = get_logger("gateway.policy")

TlsVersion = Literal["TLSv1.2", "TLSv1.3"]
FilePath = str


class ListenerTlsModel(Model):
    cert: FilePath = Field(min_length=1)  # PEM: the certificate, then its chain
    key: FilePath = Field(min_length=1)  # PEM, unencrypted (mount it from a secret)
    min_version: TlsVersion = "TLSv1.2"
    client_ca: FilePath | None = Field(default=None, min_length=1)
    client_auth: Literal["none", "optional", "required"] = "none"

    @model_validator(mode="after")
    def _mutual(self) -> ListenerTlsModel:
        if self.client_auth != "none" and self.client_ca is None:
            raise ValueError("client_auth needs client_ca: the CA that issues client certificates")
        if self.client_ca is not None and self.client_auth == "none":
            raise ValueError("client_ca is set but client_auth is none: "
                             "say optional or required")
        return self

    def files(self, base: Path) -> ListenerFiles:
        return ListenerFiles(base / self.cert, base / self.key, self.min_version,
                             base / self.client_ca if self.client_ca else None, self.client_auth)


class UpstreamTlsModel(Model):
    ca: FilePath | None = Field(default=None, min_length=1)  # pinned; default: system store
    client_cert: FilePath | None = Field(default=None, min_length=1)
    client_key: FilePath | None = Field(default=None, min_length=1)
    server_name: str | None = Field(default=None, min_length=1, max_length=253)
    min_version: TlsVersion = "TLSv1.2"
    insecure_skip_verify: bool = False

    @model_validator(mode="after")
    def _pair(self) -> UpstreamTlsModel:
        if (self.client_cert is None) != (self.client_key is None):
            raise ValueError("client_cert and client_key go together")
        return self

    def files(self, base: Path) -> UpstreamFiles:
        return UpstreamFiles(base / self.ca if self.ca else None,
                             base / self.client_cert if self.client_cert else None,
                             base / self.client_key if self.client_key else None,
                             self.min_version, self.insecure_skip_verify)


@dataclass(frozen=True, slots=True)
class UpstreamTls:
    context: ssl.SSLContext = field(compare=False)
    server_name: str | None
    digest: str  # of the files: a rotated client certificate opens a new pool


@dataclass(frozen=True, slots=True)
class TlsSettings:
    listener: ssl.SSLContext | None = field(default=None, compare=False)
    admin: ssl.SSLContext | None = field(default=None, compare=False)
    upstreams: Mapping[str, UpstreamTls] = field(default_factory=dict)
    files: tuple[Path, ...] = ()  # watched: a change is a reload
    digest: str = ""  # of every file: part of the policy version


class TlsSettingsError(ValueError):
    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def build_tls(listener: ListenerTlsModel | None, admin: ListenerTlsModel | None,
              upstreams: Mapping[str, UpstreamTlsModel | None], base: Path) -> TlsSettings:
    """Every SSL context the policy asks for, loaded and checked now (a bad or
    mismatched pair is an error at load, not at the first handshake)."""
    contexts: dict[str, ssl.SSLContext] = {}
    files: list[Path] = []
    for name, listening in (("tls", listener), ("admin_tls", admin)):
        if listening is None:
            continue
        spec = listening.files(base)
        try:
            contexts[name] = listener_context(spec)
        except TlsError as exc:
            raise TlsSettingsError(("server", name), str(exc)) from None
        files += [p for p in (spec.cert, spec.key, spec.client_ca) if p is not None]
    up: dict[str, UpstreamTls] = {}
    for name, upstream in upstreams.items():
        if upstream is None:
            continue
        up_spec = upstream.files(base)
        paths = [p for p in (up_spec.ca, up_spec.client_cert, up_spec.client_key)
                 if p is not None]
        try:
            up[name] = UpstreamTls(upstream_context(up_spec), upstream.server_name,
                                   files_digest(paths))
        except TlsError as exc:
            raise TlsSettingsError(("upstreams", name, "tls"), str(exc)) from None
        if upstream.insecure_skip_verify:
            log.warning("upstream_tls_verification_off", upstream=name)
        files += paths
    if not files and not up:
        return TlsSettings()
    try:
        digest = files_digest(files)
    except TlsError as exc:
        raise TlsSettingsError(("server",), str(exc)) from None
    return TlsSettings(contexts.get("tls"), contexts.get("admin_tls"), MappingProxyType(up),
                       tuple(files), digest)
