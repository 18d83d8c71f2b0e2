"""UpstreamTarget: an upstream URL parsed once."""

from __future__ import annotations

import ssl

import pytest

from gateway.policy.compiled import CompiledUpstream, Timeouts
from gateway.policy.tls import UpstreamTls
from gateway.upstream.target import UpstreamTarget


def _target(url: str, tls: UpstreamTls | None = None) -> UpstreamTarget:
    return UpstreamTarget.of(CompiledUpstream(name="u", url=url, timeouts=Timeouts(1, 1, 1),
                                              max_connections=1, keepalive=1.0, tls=tls))


@pytest.mark.parametrize(("url", "host", "port", "header", "base"), [
    ("http://127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1:8080", ""),
    ("http://loans.internal", "loans.internal", 80, "loans.internal", ""),
    ("http://loans.internal:80/api/v2", "loans.internal", 80, "loans.internal", "/api/v2"),
    ("https://loans.internal", "loans.internal", 443, "loans.internal", ""),
    ("https://loans.internal:8443/p%20q", "loans.internal", 8443, "loans.internal:8443",
     "/p%20q"),
    ("http://[::1]:9000", "::1", 9000, "[::1]:9000", ""),
])
def test_address_host_header_and_base_path(url: str, host: str, port: int, header: str,
                                           base: str) -> None:
    t = _target(url)
    assert (t.host, t.port, t.host_header, t.base_path) == (host, port, header, base)


def test_tls_only_for_https_verifying_by_default() -> None:
    assert _target("http://a").ssl is None and _target("http://a").server_name is None
    t = _target("https://loans.internal")
    assert t.ssl is not None and t.ssl.verify_mode == ssl.CERT_REQUIRED and t.ssl.check_hostname
    assert t.server_name == "loans.internal"


def test_policy_tls_context_and_server_name() -> None:
    context = ssl.create_default_context()
    t = _target("https://10.0.0.5", UpstreamTls(context=context, server_name="loans.internal",
                                                 digest=""))
    assert t.ssl is context and t.server_name == "loans.internal"
    t = _target("https://10.0.0.5", UpstreamTls(context=context, server_name=None, digest=""))
    assert t.server_name == "10.0.0.5"
