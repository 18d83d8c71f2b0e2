"""Immutable objects that request code reads. Built once per policy load."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from gateway.audit.settings import AuditSettings
from gateway.crypto.keyring import KeyRing
from gateway.crypto.keystore import KeyStoreError
from gateway.detect import Detector
from gateway.detect.classes import Catalog, packaged
from gateway.policy.data_classes import build_catalog
from gateway.policy.detection import build_detector
from gateway.policy.honeytokens import Honeytokens, build_honeytokens
from gateway.policy.keys import build_keyring
from gateway.policy.loader import LoadedPolicy, PolicyError, PolicyIssue, load_policy_file
from gateway.policy.model import PolicyModel, TimeoutsModel
from gateway.policy.tls import TlsSettings, TlsSettingsError, UpstreamTls, build_tls
from gateway.protect.rules import ActionsError, Protection, compile_actions
from gateway.ratelimit.limits import Limits, compile_limits

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float
    read: float
    total: float

    @classmethod
    def of(cls, model: TimeoutsModel) -> Timeouts:
        return cls(connect=model.connect, read=model.read, total=model.total)


@dataclass(frozen=True, slots=True)
class CompiledUpstream:
    name: str
    url: str
    timeouts: Timeouts
    max_connections: int
    keepalive: float
    tls: UpstreamTls | None = None


@dataclass(frozen=True, slots=True)
class CompiledRoute:
    name: str
    path_prefix: str
    methods: frozenset[str] | None
    host: str | None
    upstream: CompiledUpstream
    timeouts: Timeouts
    max_body_bytes: int
    protect: bool
    on_error: str
    sensitive: bool = False
    require_client_cert: bool = False

    def matches(self, method: str, host: str | None, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.host is not None and (host or "").lower() != self.host:
            return False
        prefix = self.path_prefix
        if prefix == "/" or path == prefix:
            return True
        if prefix.endswith("/"):
            return path.startswith(prefix)
        return path.startswith(prefix + "/")


@dataclass(frozen=True, slots=True)
class ServerSettings:
    listen: str
    admin: str
    header_timeout: float
    body_timeout: float
    idle_timeout: float
    grace_period: float
    max_connections: int
    max_connections_per_ip: int
    max_url_bytes: int
    max_header_bytes: int
    max_headers: int
    trusted_proxies: tuple[IPNetwork, ...]
    metrics: bool = True


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    version: str
    source: str
    server: ServerSettings
    upstreams: Mapping[str, CompiledUpstream]
    routes: tuple[CompiledRoute, ...]
    log_format: str
    log_level: str
    detector: Detector
    protection: Protection
    keys: KeyRing | None = None
    limits: Limits | None = None
    audit: AuditSettings | None = None
    tls: TlsSettings = field(default_factory=TlsSettings)
    honeytokens: Honeytokens | None = None
    catalog: Catalog = field(default_factory=packaged)

    @property
    def watched_files(self) -> tuple[Path, ...]:
        """Files besides the policy whose change means a reload (the key
        store, certificates, keys and CAs)."""
        keys = (self.keys.store_path,) if self.keys is not None else ()
        return (*keys, *self.tls.files)

    def route_for(self, method: str, host: str | None, path: str) -> CompiledRoute | None:
        for route in self.routes:
            if route.matches(method, host, path):
                return route
        return None


def compile_policy(loaded: LoadedPolicy, *, upstream_url: str | None = None) -> CompiledPolicy:
    """Build the immutable policy. `upstream_url` (the sidecar shorthand) sets
    the URL of the upstream named ``default``."""
    model: PolicyModel = loaded.model
    issues: list[PolicyIssue] = []
    upstreams: dict[str, CompiledUpstream] = {}
    if upstream_url is not None and "default" not in model.upstreams:
        issues.append(PolicyIssue(loaded.source, 1, "upstreams",
                                  "--upstream needs an upstream named 'default'"))
    policy_dir = Path(loaded.source).parent
    tls = TlsSettings()
    try:
        tls = build_tls(model.server.tls, model.server.admin_tls,
                        {n: u.tls for n, u in model.upstreams.items()}, policy_dir)
    except TlsSettingsError as exc:
        issues.append(loaded.issue(exc.loc, str(exc)))
    for name, up in model.upstreams.items():
        url = upstream_url if (name == "default" and upstream_url) else up.url
        if url is None:
            issues.append(PolicyIssue(loaded.source, 1, f"upstreams.{name}.url",
                                      "required (set it in the policy or pass --upstream)"))
            continue
        up_tls = tls.upstreams.get(name)
        if up_tls is not None and url.startswith("http://"):
            if url != NO_UPSTREAM:
                issues.append(loaded.issue(("upstreams", name, "tls"),
                                           "--upstream is http:// but the upstream has tls"))
            up_tls = None
        upstreams[name] = CompiledUpstream(
            name=name, url=url.rstrip("/"), timeouts=Timeouts.of(up.timeouts),
            max_connections=up.max_connections, keepalive=up.keepalive, tls=up_tls,
        )
    try:
        detector = build_detector(model.detection, policy_dir)
    except ValueError as exc:
        issues.append(loaded.issue(("detection",), str(exc)))
    keys = None
    try:
        keys = build_keyring(model.keys, policy_dir)
    except (KeyStoreError, ValueError) as exc:
        issues.append(loaded.issue(("keys",), str(exc)))
    catalog = packaged()
    try:
        catalog = build_catalog(model.data_classes)
    except ValueError as exc:
        issues.append(loaded.issue(("data_classes",), str(exc)))
    if issues:
        raise PolicyError(issues)
    try:
        protection = compile_actions(model.actions, policy_dir,
                                     {r.name: r.data_class or r.name for r in model.routes},
                                     set(detector.entities), keys, catalog)
    except ActionsError as exc:
        raise PolicyError([loaded.issue(("actions", *exc.loc), str(exc))]) from None
    try:
        limits = compile_limits(model.rate_limits, {r.name for r in model.routes},
                                keys.current("hmac")[1] if keys is not None else None,
                                needed=model.honeytokens is not None)
    except (ValueError, KeyStoreError) as exc:
        raise PolicyError([loaded.issue(("rate_limits",), str(exc))]) from None
    try:
        honeytokens = build_honeytokens(model.honeytokens, keys)
    except ValueError as exc:
        raise PolicyError([loaded.issue(("honeytokens",), str(exc))]) from None
    audit = None
    if model.audit is not None:
        if keys is None or "audit" not in keys.current_ids:
            raise PolicyError([loaded.issue(("audit",), "the audit trail is chained under the "
                                            "key store's audit key: fill `keys:`")])
        a = model.audit
        audit = AuditSettings(a.sink, policy_dir / a.directory if a.directory else None,
                              a.max_bytes, a.max_age, a.queue, a.on_full, a.checkpoint_every)
    s = model.server
    routes = tuple(
        CompiledRoute(
            name=r.name,
            path_prefix=r.match.path_prefix,
            methods=frozenset(r.match.methods) if r.match.methods is not None else None,
            host=r.match.host.lower() if r.match.host else None,
            upstream=upstreams[r.upstream],
            timeouts=Timeouts.of(r.timeouts) if r.timeouts else upstreams[r.upstream].timeouts,
            max_body_bytes=r.max_body_bytes or s.max_body_bytes,
            protect=r.protect,
            on_error=r.on_error,
            sensitive=r.sensitive,
            require_client_cert=r.require_client_cert,
        )
        for r in model.routes
    )
    server = ServerSettings(
        listen=s.listen, admin=s.admin, header_timeout=s.header_timeout,
        body_timeout=s.body_timeout, idle_timeout=s.idle_timeout,
        grace_period=s.grace_period, max_connections=s.max_connections,
        max_connections_per_ip=s.max_connections_per_ip, max_url_bytes=s.max_url_bytes,
        max_header_bytes=s.max_header_bytes, max_headers=s.max_headers,
        trusted_proxies=tuple(ipaddress.ip_network(n, strict=False) for n in s.trusted_proxies),
        metrics=s.metrics,
    )
    # A rotated key store is a new policy version: reloads swap it in, and a
    # child process inspecting large bodies knows which keys to use.
    # Rotated certificates likewise.
    version = loaded.version if keys is None else f"{loaded.version}.{keys.digest}"
    if tls.digest:
        version = f"{version}.{tls.digest}"
    return CompiledPolicy(
        version=version, source=loaded.source, server=server,
        upstreams=MappingProxyType(upstreams), routes=routes,
        log_format=model.logging.format, log_level=model.logging.level,
        detector=detector,
        protection=protection,
        keys=keys,
        limits=limits,
        audit=audit,
        tls=tls,
        honeytokens=honeytokens,
        catalog=catalog,
    )


# Tools that only inspect (explain, scan, an offload child) need an upstream
# URL for the policy to compile; nothing is ever sent to it.
NO_UPSTREAM = "http://127.0.0.1:1"


def compile_file(path: str | Path, upstream_url: str | None = None) -> CompiledPolicy:
    """Load, validate and compile a policy file (raises PolicyError)."""
    return compile_policy(load_policy_file(path), upstream_url=upstream_url)


def compile_file_version(path: str, version: str) -> CompiledPolicy | None:
    """The policy in `path` if it still has `version`, else None (an offload
    child checks it serves the policy the request was served with)."""
    try:
        policy = compile_file(path, NO_UPSTREAM)
    except PolicyError:
        return None
    return policy if policy.version == version else None
