"""IP_ADDRESS: IPv4 and IPv6 addresses, validated by Python's `ipaddress`.

Unspecified, loopback and documentation-free forms with fewer than three
groups (`::`, `::1`, `a::b`) are not reported: they identify nobody. A `::`
may stand for a single zero group at either end (`::2:3:4:5:6:7:8`,
`1:2:3:4:5:6:7::`), so the pattern allows eight `group:` steps.
"""

from __future__ import annotations

import ipaddress

from gateway.detect.recognizers.base import Gate, Spec, ValidatingRecognizer

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_V4 = f"{_OCTET}(?:\\.{_OCTET}){{3}}"
_H = "[0-9A-F]{1,4}"


def valid_ip(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if address.is_unspecified or address.is_loopback:
        return False
    return address.version == 4 or sum(1 for group in text.split(":") if group) >= 3


class IpAddressRecognizer(ValidatingRecognizer):
    ENTITY = "IP_ADDRESS"
    SPECS = (
        Spec("ipv4", f"(?<![0-9.]){_V4}(?![0-9]|\\.[0-9])", 0.5,
             Gate(trigger=r"[0-9]\.[0-9]{1,3}\.[0-9]")),
        Spec("ipv6", f"(?<![0-9A-F:])(?:(?:{_H})?:){{2,8}}(?:{_V4}|(?:{_H})?)(?![0-9A-F:])",
             0.5, Gate(trigger=r":[0-9a-f]{0,4}:")),
    )
    CONTEXT = ("ip", "ip地址", "登录ip", "address", "地址", "clientip", "remoteaddr")

    def check(self, text: str) -> bool:
        return valid_ip(text)
