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

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gateway.cache import BoundedCache
from gateway.crypto.digest import KeyedDigest, derive


def network_of(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True, slots=True)
class Identity:
    """A client's keys by dimension (only the dimensions it has). One object
    per client while it is cached (`Identifier.identify`): what the rate-limit
    stage derives from it per route (bucket keys, detector keys) is kept in
    `plans`, built once."""

    keys: Mapping[str, str]  # dimension -> hmac hex
    _tags: dict[str, str] = field(init=False, repr=False, compare=False)
    plans: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        tags = {d: "{" + k + "}" for d, k in self.keys.items()}
        if "ip" in tags and "net" in tags:  # the address in its network's slot
            tags["ip"] = tags["net"] + self.keys["ip"]
        object.__setattr__(self, "_tags", tags)

    def tag(self, dimension: str) -> str | None:
        """What names one dimension in Redis keys, hash tag first (`{<hmac>}`),
        None when absent. The address's keys carry its network's hash tag
        (`{<net hmac>}<ip hmac>`): on Redis Cluster a request without a subject
        or device then touches one slot, not two (one script call); the keys
        stay apart."""
        return self._tags.get(dimension)


@dataclass(frozen=True, slots=True)
class Identifier:
    secret: bytes
    device_header: str | None  # read by gateway/proxy/caller.py
    _seen: BoundedCache[tuple[str, str, str, str], Identity] = field(
        default_factory=lambda: BoundedCache(65536), repr=False, compare=False)
    # derived from the secret once, at compile time
    _mac: KeyedDigest = field(init=False, repr=False, compare=False)
    # A secret offset added to numeric ids before the sequential-run detector
    # stores them: differences (n, n+1) survive, the id itself does not reach
    # Redis. Under 2^48, so sums stay exact in Lua.
    run_offset: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_mac", KeyedDigest(self.secret))
        object.__setattr__(self, "run_offset", int.from_bytes(
            derive(self.secret, b"pgw-run-offset", 6), "big"))

    @property
    def mac(self) -> KeyedDigest:
        """The keyed digest `digest` uses (the limit table's ids, admission.py)."""
        return self._mac

    def digest(self, kind: str, value: str) -> str:
        """Keyed BLAKE2b (a MAC), 96 bits as hex."""
        return self._mac.of(kind, value)

    def identify(self, key: str | None, device: str | None, ip: str,
                 certificate: str | None = None) -> Identity:
        """The keys of a caller presenting API key `key`, device id `device`
        and a verified client certificate with fingerprint `certificate` (each
        None when absent) from client address `ip`. The certificate, proved in
        the handshake, is the subject when there is one; else the API key."""
        seen = (certificate or "", "" if certificate else key or "", device or "", ip)
        cached = self._seen.get(seen)
        return cached if cached is not None else self._seen.put(seen, self._identify(*seen))

    def _identify(self, certificate: str, key: str, device: str, ip: str) -> Identity:
        keys: dict[str, str] = {}
        if certificate:  # its own digest kind: no API key can name a certificate's bucket
            keys["subject"] = self.digest("subject-cert", certificate)
        elif key:
            keys["subject"] = self.digest("subject", key)
        if device:
            keys["device"] = self.digest("device", device[:256])
        keys["ip"] = self.digest("ip", ip)
        net = network_of(ip)
        if net is not None:
            keys["net"] = self.digest("net", net)
        return Identity(keys)

    def value_digests(self, entity: str, values: Iterable[str]) -> tuple[str, ...]:
        """Personal-data values, as the exposure budget counts them: keyed,
        normalized (the same number written two ways counts once), 64 bits
        each, in order, in one call (one C loop with the native core)."""
        return tuple([d[:16] for d in self._mac.values(entity, values)])
