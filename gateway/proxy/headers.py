"""Hop-by-hop header stripping, both directions, and the headers we add."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable

from multidict import CIMultiDict

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-connection", "te", "trailer",
    "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate",
})
# Set by the gateway itself on the upstream request; never copied from the client.
REQUEST_REPLACED = frozenset({
    "host", "expect", "x-request-id", "x-forwarded-for", "x-forwarded-proto",
    "x-forwarded-host", "forwarded", "x-real-ip",
})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Generated ids: 64 random bits per process plus a counter. Unique, cheap, and
# carrying nothing about the request.
_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count(1)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def end_to_end(items: Iterable[tuple[str, str]], drop: frozenset[str] = frozenset()
               ) -> CIMultiDict[str]:
    """Copy headers, dropping hop-by-hop ones, those named in Connection, and `drop`."""
    lowered = [(name.lower(), name, value) for name, value in items]
    skip = HOP_BY_HOP | drop
    for lower, _, value in lowered:
        if lower == "connection":
            skip = skip | {token.strip().lower() for token in value.split(",") if token.strip()}
    return CIMultiDict([(name, value) for lower, name, value in lowered if lower not in skip])


def request_id_from(incoming: str | None) -> str:
    """Keep a well-formed incoming id, else generate one.

    Well-formed: a UUID, or 1-128 characters of [A-Za-z0-9._-] with fewer than
    seven digits, so an identifier such as a mobile or ID number smuggled in as
    a request id never reaches the logs.
    """
    if incoming and (
        _UUID.match(incoming)
        or (_REQUEST_ID.match(incoming) and sum(c.isdigit() for c in incoming) < 7)
    ):
        return incoming
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"
