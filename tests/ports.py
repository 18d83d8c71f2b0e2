"""Ports for the processes the tests start (gateways, upstreams, Redis).

A port the kernel picked with `bind(("127.0.0.1", 0))` comes from its range
for outgoing connections, so any connection made on the machine before the
process binds it can take it as its local port: seen in CI as "address
already in use" on a gateway's admin port, a second or so after the test
picked it (which connection took it was not found). These ports come from
below that range instead, and none is handed out twice in a run.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_GIVEN: set[int] = set()
_RNG = random.Random()


def _outgoing_low() -> int:
    """The first port of the kernel's range for outgoing connections."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _bindable(port: int, host: str) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1", pair: int = 0) -> int:
    """A port nothing listens on, below the outgoing range, not given before
    in this run; with `pair`, `port + pair` is free and given too (a Redis
    Cluster node's bus port)."""
    top = _outgoing_low() - pair
    low = 10000 if top > 12000 else 1024
    for _ in range(500):
        port = _RNG.randrange(low, top)
        wanted = (port, port + pair) if pair else (port,)
        if any(p in _GIVEN for p in wanted) or not all(_bindable(p, host) for p in wanted):
            continue
        _GIVEN.update(wanted)
        return port
    raise RuntimeError("no free port below the outgoing range")
