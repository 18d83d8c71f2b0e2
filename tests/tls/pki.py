"""A throwaway PKI for the TLS tests: a CA, a server, two partners, an expired
partner and a partner from another CA, written as PEM files."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from gateway.tls.devcerts import Issued, issue, new_ca


@dataclass(frozen=True)
class Pki:
    directory: Path
    ca: Issued
    server: Issued

    def path(self, stem: str, ext: str = "crt") -> Path:
        return self.directory / f"{stem}.{ext}"

    def client(self, stem: str) -> ssl.SSLContext:
        """A client context that trusts this CA and presents `stem`'s certificate
        (no certificate for stem "")."""
        ctx = ssl.create_default_context(cafile=self.path("ca"))
        if stem:
            ctx.load_cert_chain(self.path(stem), self.path(stem, "key"))
        return ctx

    def rotate_server(self) -> Issued:
        """A new server certificate (same names, same CA) over the old files."""
        fresh = issue(self.ca, "gateway", names=("127.0.0.1", "localhost"))
        fresh.write(self.directory, "server")
        return fresh


def make_pki(directory: Path) -> Pki:
    ca = new_ca("test CA")
    ca.write(directory, "ca")
    server = issue(ca, "gateway", names=("127.0.0.1", "localhost"))
    server.write(directory, "server")
    issue(ca, "partner-a", organization="Bank A", client=True,
          names=("uri:spiffe://bank-a.example/risk",)).write(directory, "partner-a")
    issue(ca, "partner-b", organization="Collections B", client=True,
          names=("partner-b.example",)).write(directory, "partner-b")
    issue(ca, "partner-a", organization="Bank A", client=True, expired=True).write(
        directory, "expired")
    other = new_ca("another CA")
    issue(other, "partner-a", organization="Bank A", client=True).write(directory, "stranger")
    issue(other, "gateway", names=("127.0.0.1", "localhost")).write(directory, "impostor")
    issue(ca, "upstream", names=("upstream.internal", "127.0.0.1")).write(directory, "upstream")
    return Pki(directory, ca, server)
