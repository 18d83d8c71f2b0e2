"""Development certificates: a CA, server and client certificates (ECDSA P-256).

For `pii-gateway demo --tls`, `pii-gateway keys dev-tls` and the tests; not
for production. The CA's key is not kept: nothing more can be issued under it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True, slots=True)
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def write(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """`stem`.crt and `stem`.key (0600) in `directory`."""
        directory.mkdir(parents=True, exist_ok=True)
        cert, key = directory / f"{stem}.crt", directory / f"{stem}.key"
        cert.write_bytes(self.cert_pem)
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(self.key_pem)
        return cert, key


def _name(common_name: str, organization: str | None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attrs)


def _window(days: float, expired: bool) -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    if expired:
        return now - dt.timedelta(days=days + 1), now - dt.timedelta(days=1)
    return now - dt.timedelta(minutes=5), now + dt.timedelta(days=days)


def new_ca(common_name: str, *, days: float = 365) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, "pii-gateway development")
    start, end = _window(days, expired=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    return Issued(cert, key)


def _san(names: Iterable[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        kind, _, value = name.partition(":")
        if kind == "uri":
            out.append(x509.UniformResourceIdentifier(value))
        elif kind == "email":
            out.append(x509.RFC822Name(value))
        else:
            try:
                out.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                out.append(x509.DNSName(name))
    return out


def issue(ca: Issued, common_name: str, *, organization: str | None = None,
          names: Iterable[str] = (), client: bool = False, days: float = 365,
          expired: bool = False) -> Issued:
    """A leaf certificate signed by `ca`: a server's (names: host names and
    IP addresses) or a client's (names may add `uri:...`, `email:...`)."""
    key = ec.generate_private_key(ec.SECP256R1())
    start, end = _window(days, expired)
    usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    builder = (x509.CertificateBuilder().subject_name(_name(common_name, organization))
               .issuer_name(ca.cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    sans = _san(names)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def write_dev_tls(directory: Path, host_names: Iterable[str] = ("127.0.0.1", "localhost")
                  ) -> dict[str, Path]:
    """A development CA, a server certificate for `host_names` and two partner
    client certificates, written to `directory`; returns the file paths by role."""
    ca = new_ca("pii-gateway development CA")
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {"ca": directory / "ca.crt"}
    paths["ca"].write_bytes(ca.cert_pem)  # its key is never written
    paths["server"], paths["server_key"] = issue(ca, "pii-gateway", names=host_names).write(
        directory, "server")
    paths["partner_a"], paths["partner_a_key"] = issue(
        ca, "partner-a", organization="Bank A", client=True,
        names=("uri:spiffe://bank-a.example/risk",)).write(directory, "partner-a")
    paths["partner_b"], paths["partner_b_key"] = issue(
        ca, "partner-b", organization="Collections B", client=True,
        names=("partner-b.example",)).write(directory, "partner-b")
    return paths


def ensure_dev_tls(directory: Path) -> list[Path]:
    """`write_dev_tls` when `directory` holds no complete set; returns
    [directory] when it wrote one, else []."""
    wanted = ("ca.crt", "server.crt", "server.key", "partner-a.crt", "partner-a.key",
              "partner-b.crt", "partner-b.key")
    if all((directory / name).exists() for name in wanted):
        return []
    write_dev_tls(directory)
    return [directory]
