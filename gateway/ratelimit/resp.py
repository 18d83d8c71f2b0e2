"""Redis commands packed in C by hiredis, for the limiter's connections.

redis-py's synchronous client packs commands with `hiredis.pack_command`
when hiredis is installed; its asyncio connections pack every argument in
Python (an encode and a length prefix apiece). A coalesced decision call
carries every key of its decisions (a hundred or more under load), so that
was ~18 % of the Redis limit stage's profile; packed in C the stage costs
~5 µs less CPU a request (`bench/README.md`). The bytes sent are the same
(tests/ratelimit/test_resp.py holds them to redis-py's own packer).

`faster(cls)` is the connection class to use in place of redis-py's: the
stores swap it into their pool (one Redis) or their nodes (a cluster).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import hiredis
from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.exceptions import DataError

C = TypeVar("C", bound=AbstractConnection)


def pack(args: tuple[Any, ...]) -> list[bytes]:
    """One command in the Redis protocol, as redis-py's packers produce it
    (a first argument with spaces, `SCRIPT LOAD`, is split into words)."""
    first = args[0]
    if isinstance(first, str):
        args = (*first.encode().split(), *args[1:])
    elif b" " in first:
        args = (*first.split(), *args[1:])
    try:
        return [hiredis.pack_command(args)]
    except TypeError:
        pass
    try:  # bytearray arguments, as redis-py's encoder takes them
        return [hiredis.pack_command(cast(tuple[str | int | float | bytes], tuple(
            bytes(a) if isinstance(a, bytearray) else a for a in args)))]
    except TypeError as exc:
        raise DataError(f"Invalid input: {exc}") from None


class _PackedInC:
    def pack_command(self, *args: Any) -> list[bytes]:
        return pack(args)


class PackedConnection(_PackedInC, Connection):
    pass


class PackedSSLConnection(_PackedInC, SSLConnection):
    pass


class PackedUnixConnection(_PackedInC, UnixDomainSocketConnection):
    pass


_FASTER: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: PackedConnection,
    SSLConnection: PackedSSLConnection,
    UnixDomainSocketConnection: PackedUnixConnection,
}


def faster(cls: type[C]) -> type[C]:
    """The class packing in C for one of redis-py's (any other: itself)."""
    return cast(type[C], _FASTER.get(cls, cls))
