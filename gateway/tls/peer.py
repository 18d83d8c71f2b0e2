"""A verified client certificate, as the policy names it.

The policy maps certificates to roles by selector: the subject DN in RFC 4514
form (``CN=partner-a,O=Bank A``; attribute order does not matter), a subject
alternative name (``dns:partner-b.example``, ``uri:spiffe://bank-a/collect``,
``email:ops@bank-a.example``) or the certificate's SHA-256 fingerprint
(``sha256:ab12...``, colons allowed). A certificate's identity is worked out
once per distinct certificate (cached by its DER bytes), not per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from gateway.cache import BoundedCache

_SAN_KINDS = frozenset({"dns", "uri", "email"})
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class PeerCertificate:
    fingerprint: str  # SHA-256 of the DER, hex: what logs, limits and audit use
    selectors: frozenset[str]  # every selector this certificate answers to

    @property
    def short(self) -> str:
        """The fingerprint's first 16 hex digits (for the audit trail)."""
        return self.fingerprint[:16]


def _subject_selector(name: x509.Name) -> str:
    pairs = sorted((a.oid.dotted_string, str(a.value)) for a in name)
    return "subject:" + "\x1f".join(f"{oid}={value}" for oid, value in pairs)


def selector(text: str) -> str:
    """A policy's certificate selector in canonical form (ValueError if malformed)."""
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if sep and kind == "sha256":
        digest = rest.replace(":", "").strip().lower()
        if len(digest) != 64 or not set(digest) <= _HEX:
            raise ValueError("sha256: needs the certificate's 64 hex digit fingerprint")
        return f"sha256:{digest}"
    if sep and kind in _SAN_KINDS:
        value = rest.strip()
        if not value:
            raise ValueError(f"{kind}: needs a value")
        return f"{kind}:{value.lower() if kind != 'uri' else value}"
    try:
        name = x509.Name.from_rfc4514_string(text)
    except ValueError:
        raise ValueError("a certificate selector is a subject DN such as "
                         "'CN=partner-a,O=Bank A', or dns:, uri:, email:, sha256:") from None
    if not list(name):
        raise ValueError("an empty subject DN")
    return _subject_selector(name)


def _parse(der: bytes) -> PeerCertificate:
    fingerprint = hashlib.sha256(der).hexdigest()
    selectors = {f"sha256:{fingerprint}"}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return PeerCertificate(fingerprint, frozenset(selectors))
    selectors.add(_subject_selector(cert.subject))
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except (x509.ExtensionNotFound, ValueError):
        san = None
    if isinstance(san, x509.SubjectAlternativeName):
        for value in san.get_values_for_type(x509.DNSName):
            selectors.add(f"dns:{value.lower()}")
        for value in san.get_values_for_type(x509.RFC822Name):
            selectors.add(f"email:{value.lower()}")
        for value in san.get_values_for_type(x509.UniformResourceIdentifier):
            selectors.add(f"uri:{value}")
    return PeerCertificate(fingerprint, frozenset(selectors))


_SEEN: BoundedCache[bytes, PeerCertificate] = BoundedCache(1024)


def peer_certificate(der: bytes | None) -> PeerCertificate | None:
    """The identity of the certificate a client presented (None without one)."""
    if not der:
        return None
    cached = _SEEN.get(der)
    return cached if cached is not None else _SEEN.put(der, _parse(der))


@dataclass(frozen=True, slots=True)
class CertificateRoles:
    """Selectors (canonical) -> role. A certificate matching several selectors
    that map to different roles gets none of them: the policy is ambiguous for
    it, and the caller falls back to the other ways of naming a role."""

    by_selector: Mapping[str, str]

    @classmethod
    def of(cls, mapping: Mapping[str, str]) -> CertificateRoles:
        out: dict[str, str] = {}
        for text, role in mapping.items():
            canonical = selector(text)
            if out.setdefault(canonical, role) != role:
                raise ValueError("two selectors name the same certificates with different "
                                 f"roles ({out[canonical]}, {role})")
        return cls(out)

    def role_for(self, cert: PeerCertificate | None) -> str | None:
        if cert is None or not self.by_selector:
            return None
        roles = {self.by_selector[s] for s in cert.selectors if s in self.by_selector}
        return roles.pop() if len(roles) == 1 else None
