"""Where an upstream is, parsed once from its URL: the address to connect to,
the Host header, the base path in front of every request target, and TLS
(the policy's context, or a verifying default one for an https:// URL
without `tls:`)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from yarl import URL

from gateway.policy.compiled import CompiledUpstream


@dataclass(frozen=True, slots=True)
class UpstreamTarget:
    host: str  # for connecting: no brackets around an IPv6 address
    port: int
    host_header: str  # as aiohttp writes it: the port only when not the scheme's default
    base_path: str  # "" or "/prefix", already percent-encoded
    ssl: ssl.SSLContext | None
    server_name: str | None  # SNI and the name the certificate must carry

    @classmethod
    def of(cls, upstream: CompiledUpstream) -> UpstreamTarget:
        url = URL(upstream.url, encoded=True)
        assert url.host is not None  # validated by the policy
        assert url.port is not None
        raw_host = url.raw_host or url.host
        bracketed = f"[{raw_host}]" if ":" in raw_host else raw_host
        host_header = bracketed if url.is_default_port() else f"{bracketed}:{url.port}"
        context: ssl.SSLContext | None = None
        if url.scheme == "https":
            context = (upstream.tls.context if upstream.tls is not None
                       else ssl.create_default_context())
        server_name = None
        if context is not None:
            server_name = (upstream.tls.server_name if upstream.tls is not None
                           and upstream.tls.server_name else raw_host)
        return cls(host=raw_host, port=url.port, host_header=host_header,
                   base_path=url.raw_path.rstrip("/"), ssl=context, server_name=server_name)
