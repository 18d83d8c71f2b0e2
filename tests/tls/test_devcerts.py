"""Development certificates: a working chain, private keys readable by the owner only."""

from __future__ import annotations

import datetime as dt
import ssl
import stat
from pathlib import Path

from cryptography import x509

from gateway.tls.devcerts import issue, new_ca, write_dev_tls


def test_dev_tls_files_form_a_chain_that_verifies(tmp_path: Path) -> None:
    paths = write_dev_tls(tmp_path / "tls")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=paths["ca"])
    server.load_cert_chain(paths["server"], paths["server_key"])
    client = ssl.create_default_context(cafile=paths["ca"])
    client.load_cert_chain(paths["partner_a"], paths["partner_a_key"])
    for key in ("server_key", "partner_a_key", "partner_b_key"):
        assert stat.S_IMODE(paths[key].stat().st_mode) == 0o600
    assert not (tmp_path / "tls" / "ca.key").exists()  # nothing more can be issued
    cert = x509.load_pem_x509_certificate(paths["partner_a"].read_bytes())
    assert cert.subject.rfc4514_string() == "CN=partner-a,O=Bank A"


def test_expired_certificates_are_expired() -> None:
    cert = issue(new_ca("ca"), "old", client=True, expired=True).cert
    assert cert.not_valid_after_utc < dt.datetime.now(dt.UTC)
