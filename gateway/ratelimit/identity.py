"""Who a client is, for limits and detectors: one key per dimension.

- `subject`: the API key the caller presented (known or not);
- `device`: the device or app id header the policy names;
- `ip`: the client address resolved through trusted proxies only (a forged
  `X-Forwarded-For` from anyone else changes nothing);
- `net`: the IPv4 /24 or IPv6 /64 around it.

Each key is a MAC (keyed BLAKE2b) of the dimension and its value under a secret (the key
store's `hmac` key, or a random per-process key with the memory store), so a
Redis key, a metrics label or a `limits list` line never holds an API key, a
device id or an address. Keys carry a Redis hash tag: `pgw:rl:{<hmac>}:rule`.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.operators.hmac_hash import canonical

DIMENSIONS = ("subject", "device", "ip", "net")


def network_of(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True, slots=True)
class Identity:
    """A client's keys by dimension (only the dimensions it has)."""

    keys: Mapping[str, str]  # dimension -> hmac hex

    def tag(self, dimension: str) -> str | None:
        key = self.keys.get(dimension)
        return None if key is None else "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Identifier:
    secret: bytes
    api_key_header: str | None
    device_header: str | None
    _seen: dict[tuple[str, str, str], Identity] = field(default_factory=dict, repr=False)

    def digest(self, kind: str, value: str) -> str:
        """Keyed BLAKE2b (a MAC), 96 bits as hex."""
        return hashlib.blake2b(f"{kind}\x00{value}".encode(), key=self.secret[:64],
                               digest_size=12).hexdigest()

    def identify(self, headers: Mapping[str, str], ip: str) -> Identity:
        key = headers.get(self.api_key_header, "") if self.api_key_header else ""
        device = headers.get(self.device_header, "") if self.device_header else ""
        cached = self._seen.get((key, device, ip))
        if cached is None:
            cached = self._identify(key.strip(), device.strip(), ip)
            if len(self._seen) >= 65536:
                self._seen.clear()
            self._seen[(key, device, ip)] = cached
        return cached

    def _identify(self, key: str, device: str, ip: str) -> Identity:
        keys: dict[str, str] = {}
        if key:
            keys["subject"] = self.digest("subject", key)
        if device:
            keys["device"] = self.digest("device", device[:256])
        keys["ip"] = self.digest("ip", ip)
        net = network_of(ip)
        if net is not None:
            keys["net"] = self.digest("net", net)
        return Identity(keys)

    @property
    def run_offset(self) -> int:
        """A secret offset added to numeric ids before the sequential-run
        detector stores them: differences (n, n+1) survive, the id itself
        does not reach Redis. Under 2^48, so sums stay exact in Lua."""
        return int.from_bytes(hashlib.blake2b(self.secret[:64], person=b"pgw-run-offset",
                                              digest_size=6).digest(), "big")

    def value_digest(self, entity: str, value: str) -> str:
        """A personal-data value, as the exposure budget counts it: keyed,
        normalized (the same number written two ways counts once)."""
        return self.digest(entity, canonical(value))[:16]
