"""Who is calling: the caller's role, from a trusted header, a verified client
certificate (mutual TLS) or an API key, in that order.

An API key is looked up by the SHA-256 of a salt and the key, so the policy
file holds no usable key. A role header is believed only from the networks
listed (an auth proxy in front of the gateway); from anywhere else it is
ignored. Everyone else gets the default role.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.policy.actions import RolesModel
from gateway.tls.peer import CertificateRoles, PeerCertificate

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# A role name, as a header may carry it; anything else counts as no role. The
# role is logged on every access line, so it must not be able to carry data.
_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")


def api_key_digest(salt: str, key: str) -> str:
    return hashlib.sha256((salt + key).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RoleResolver:
    default: str
    key_header: str | None
    salt: str
    keys: Mapping[str, str]
    role_header: str | None
    role_from: tuple[IPNetwork, ...]
    certificates: CertificateRoles = field(default_factory=lambda: CertificateRoles({}))

    @classmethod
    def of(cls, model: RolesModel) -> RoleResolver:
        keys = model.api_keys
        trusted = model.trusted_header
        return cls(
            default=model.default,
            key_header=keys.header if keys else None,
            salt=keys.salt if keys else "",
            keys=dict(keys.keys) if keys else {},
            role_header=trusted.name if trusted else None,
            role_from=tuple(ipaddress.ip_network(n, strict=False)
                            for n in trusted.trusted_from) if trusted else (),
            certificates=CertificateRoles.of(model.certificates),
        )

    def resolve(self, key: str | None, claimed: str | None, peer: str,
                cert: PeerCertificate | None = None) -> str:
        """The role of a caller presenting API key `key`, role header value
        `claimed` and verified client certificate `cert` (each None when
        absent) from socket peer `peer`. A certificate the policy maps wins over
        an API key: it was proved in the handshake, a key is only presented."""
        if claimed and self._trusted(peer) and _ROLE.fullmatch(claimed):
            return claimed
        by_cert = self.certificates.role_for(cert)
        if by_cert is not None:
            return by_cert
        if key:
            return self.keys.get(api_key_digest(self.salt, key), self.default)
        return self.default

    def digest(self, key: str | None) -> str | None:
        """Who called, for the audit trail: the first 16 hex digits of the
        salted digest of the API key presented (as the policy lists it), or
        None without one. Never the key."""
        return api_key_digest(self.salt, key)[:16] if key else None

    def _trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in net for net in self.role_from)

    def roles(self) -> frozenset[str]:
        return frozenset({self.default, *self.keys.values(),
                          *self.certificates.by_selector.values()})
