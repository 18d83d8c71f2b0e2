"""Client-certificate identities and the policy's selectors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from gateway.tls.devcerts import issue, new_ca
from gateway.tls.peer import CertificateRoles, peer_certificate, selector


@pytest.mark.parametrize(("written", "canonical"), [
    ("dns:Partner-B.Example", "dns:partner-b.example"),
    ("DNS: partner-b.example ", "dns:partner-b.example"),
    ("uri:spiffe://Bank-A/risk", "uri:spiffe://Bank-A/risk"),  # URIs keep their case
    ("email:Ops@Bank-A.example", "email:ops@bank-a.example"),
    ("sha256:" + "AB:" * 31 + "AB", "sha256:" + "ab" * 32),
])
def test_selectors_have_one_canonical_form(written: str, canonical: str) -> None:
    assert selector(written) == canonical


def test_subject_selectors_ignore_attribute_order() -> None:
    assert selector("CN=partner-a,O=Bank A") == selector("O=Bank A,CN=partner-a")
    assert selector("CN=partner-a,O=Bank A") != selector("CN=partner-a,O=Bank B")


@pytest.mark.parametrize("bad", ["sha256:abc", "dns:", "not a dn", ""])
def test_malformed_selectors_are_errors(bad: str) -> None:
    with pytest.raises(ValueError, match=r"sha256|needs a value|subject DN|empty"):
        selector(bad)


def _der(**kw: object) -> bytes:
    ca = new_ca("ca")
    cert = issue(ca, "partner-a", organization="Bank A", client=True, **kw)  # type: ignore[arg-type]
    return cert.cert.public_bytes(serialization.Encoding.DER)


def test_a_certificate_answers_to_its_subject_sans_and_fingerprint() -> None:
    der = _der(names=("uri:spiffe://bank-a.example/risk", "partner-a.example",
                      "email:ops@bank-a.example"))
    cert = peer_certificate(der)
    assert cert is not None
    assert selector("CN=partner-a,O=Bank A") in cert.selectors
    assert {"uri:spiffe://bank-a.example/risk", "dns:partner-a.example",
            "email:ops@bank-a.example", f"sha256:{cert.fingerprint}"} <= cert.selectors
    assert len(cert.fingerprint) == 64 and cert.short == cert.fingerprint[:16]
    assert peer_certificate(der) is cert  # worked out once per certificate
    assert peer_certificate(None) is None and peer_certificate(b"") is None


def test_roles_by_certificate() -> None:
    der = _der(names=("uri:spiffe://bank-a.example/risk",))
    cert = peer_certificate(der)
    roles = CertificateRoles.of({"CN=partner-a,O=Bank A": "partner",
                                 "dns:other.example": "collections"})
    assert roles.role_for(cert) == "partner"
    assert roles.role_for(None) is None
    assert CertificateRoles.of({"dns:other.example": "x"}).role_for(cert) is None


def test_a_certificate_named_twice_with_different_roles_gets_neither() -> None:
    cert = peer_certificate(_der(names=("uri:spiffe://bank-a.example/risk",)))
    roles = CertificateRoles.of({"CN=partner-a,O=Bank A": "partner",
                                 "uri:spiffe://bank-a.example/risk": "risk_engine"})
    assert roles.role_for(cert) is None
    same = CertificateRoles.of({"CN=partner-a,O=Bank A": "partner",
                                "uri:spiffe://bank-a.example/risk": "partner"})
    assert same.role_for(cert) == "partner"


def test_one_certificate_two_roles_in_the_policy_is_an_error() -> None:
    with pytest.raises(ValueError, match="different roles"):
        CertificateRoles.of({"CN=a,O=b": "x", "O=b,CN=a": "y"})


def test_an_unparseable_certificate_still_has_its_fingerprint() -> None:
    cert = peer_certificate(b"\x30\x03\x02\x01\x00")
    assert cert is not None and cert.selectors == {f"sha256:{cert.fingerprint}"}
