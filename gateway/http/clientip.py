"""The client address, trusting forwarding headers only from configured proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from multidict import CIMultiDictProxy

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse_ip(text: str) -> IPAddress | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6]:port as in Forwarded
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(ip: IPAddress | None, trusted: Sequence[IPNetwork]) -> bool:
    return ip is not None and any(ip.version == n.version and ip in n for n in trusted)


def _forwarded_for(headers: CIMultiDictProxy[str]) -> list[str]:
    hops: list[str] = []
    for value in headers.getall("X-Forwarded-For", ()):
        hops.extend(h for h in (p.strip() for p in value.split(",")) if h)
    if hops:
        return hops
    for value in headers.getall("Forwarded", ()):
        for element in value.split(","):
            for pair in element.split(";"):
                key, _, val = pair.strip().partition("=")
                if key.lower() == "for" and val:
                    hops.append(val)
    return hops


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str  # the resolved client address
    peer: str  # the socket peer
    peer_trusted: bool
    forwarded_chain: tuple[str, ...]  # X-Forwarded-For hops to pass on (trusted peers only)


def resolve_client(peer: str | None, headers: CIMultiDictProxy[str],
                   trusted: Sequence[IPNetwork]) -> ClientInfo:
    peer_text = peer or "unknown"
    if not trusted:
        return ClientInfo(ip=peer_text, peer=peer_text, peer_trusted=False, forwarded_chain=())
    peer_ip = _parse_ip(peer_text)
    if not is_trusted(peer_ip, trusted):
        return ClientInfo(ip=peer_text, peer=peer_text, peer_trusted=False, forwarded_chain=())
    hops = _forwarded_for(headers)
    chain: list[str] = []
    client = peer_text
    for hop in reversed(hops):  # walk from the nearest proxy outwards
        ip = _parse_ip(hop)
        if ip is None:
            break  # a malformed hop ends what we can trust
        chain.append(str(ip))
        client = str(ip)
        if not is_trusted(ip, trusted):
            break
    return ClientInfo(ip=client, peer=peer_text, peer_trusted=True,
                      forwarded_chain=tuple(reversed(chain)))
