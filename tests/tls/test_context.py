"""SSL contexts from PEM files: what loads, and the clear errors for what does not."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from gateway.tls.context import (
    ListenerFiles,
    TlsError,
    UpstreamFiles,
    files_digest,
    listener_context,
    upstream_context,
)
from tests.tls.pki import Pki


def test_listener_context_loads_chain_and_client_ca(pki: Pki) -> None:
    ctx = listener_context(ListenerFiles(pki.path("server"), pki.path("server", "key"),
                                         "TLSv1.3", pki.path("ca"), "required"))
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3
    # only the policy's client CA is trusted for client certificates, never the system store
    assert [c["subject"] for c in ctx.get_ca_certs()] == [
        ((("organizationName", "pii-gateway development"),), (("commonName", "test CA"),))]


def test_listener_context_defaults_to_tls12_and_no_client_certificates(pki: Pki) -> None:
    ctx = listener_context(ListenerFiles(pki.path("server"), pki.path("server", "key")))
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode == ssl.CERT_NONE
    assert ctx.get_ca_certs() == []


@pytest.mark.parametrize(("cert", "key", "message"), [
    ("server.crt", "partner-a.key", "the key does not match the certificate"),
    ("missing.crt", "server.key", "missing.crt: no such file"),
    ("server.crt", "missing.key", "missing.key: no such file"),
    ("garbage.pem", "server.key", "not a PEM certificate chain"),
    ("server.crt", "encrypted.key", "encrypted private keys are not supported"),
])
def test_listener_errors_name_the_file_never_its_contents(pki: Pki, tmp_path: Path, cert: str,
                                                          key: str, message: str) -> None:
    for name in ("server.crt", "server.key", "partner-a.key"):
        (tmp_path / name).write_bytes((pki.directory / name).read_bytes())
    (tmp_path / "garbage.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n")
    (tmp_path / "encrypted.key").write_bytes(pki.server.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    with pytest.raises(TlsError, match=message) as caught:
        listener_context(ListenerFiles(tmp_path / cert, tmp_path / key))
    assert "BEGIN" not in str(caught.value)


def test_a_bad_client_ca_is_an_error(pki: Pki, tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(TlsError, match="not a PEM CA certificate"):
        listener_context(ListenerFiles(pki.path("server"), pki.path("server", "key"),
                                       client_ca=bad, client_auth="optional"))


def test_upstream_context_pins_the_ca_and_checks_host_names(pki: Pki) -> None:
    ctx = upstream_context(UpstreamFiles(ca=pki.path("ca")))
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert len(ctx.get_ca_certs()) == 1


def test_upstream_context_without_ca_uses_the_system_store_and_verifies() -> None:
    ctx = upstream_context(UpstreamFiles(min_version="TLSv1.3"))
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3


def test_upstream_verification_is_off_only_when_asked(pki: Pki) -> None:
    ctx = upstream_context(UpstreamFiles(ca=pki.path("ca"), insecure_skip_verify=True))
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname


def test_upstream_client_certificate_pair_is_checked(pki: Pki) -> None:
    upstream_context(UpstreamFiles(client_cert=pki.path("partner-a"),
                                   client_key=pki.path("partner-a", "key")))
    with pytest.raises(TlsError, match="does not match"):
        upstream_context(UpstreamFiles(client_cert=pki.path("partner-a"),
                                       client_key=pki.path("partner-b", "key")))


def test_files_digest_follows_the_contents(tmp_path: Path) -> None:
    a = tmp_path / "a.pem"
    a.write_text("one")
    first = files_digest([a, None])
    assert files_digest([a]) == first
    a.write_text("two")
    assert files_digest([a]) != first
    with pytest.raises(TlsError, match="cannot read"):
        files_digest([tmp_path / "gone.pem"])
