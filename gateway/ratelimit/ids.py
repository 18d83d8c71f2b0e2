"""The resource ids a request path names, and the enumeration detector's
updates for them (the stage's general path and admission.py share these).

An id is a whole path segment that is a number (1-20 digits) or a UUID
(`/loans/1`, `/borrowers/123e4567-e89b-12d3-a456-426614174000/contacts`).
The last short number among them joins a sequential run (`/loans/1`,
`/loans/2`, ...); a mobile or ID number never does. The native core's
`LimitTable.admit` finds the same ids in an ASCII path (tests/ratelimit/
test_admission.py holds the two to that).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from gateway.ratelimit.store import Op

# a path segment that is a numeric id or a UUID, whole (paths are canonical: they
# start with "/"; the "/" before a segment, a literal, lets the search skip ahead:
# a third fewer instructions than a look-behind at every position)
_ID_SEGMENT = re.compile(r"/(\d{1,20}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                         r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![^/])")
RUN_MAX = 10**10  # only short numeric ids join a sequential run (never a mobile or an ID)
MEMBERS = 1000  # distinct ids counted per store call


def path_ids(path: str) -> list[str]:
    """The numeric and UUID segments of `path`, in order."""
    return _ID_SEGMENT.findall(path)


def run_value(ids: Sequence[str]) -> int | None:
    """The last id that is a number under RUN_MAX, or None."""
    for i in reversed(ids):
        if i.isdigit() and (last := int(i)) < RUN_MAX:
            return last
    return None


def enumeration_ops(ids: Sequence[str], digest: Callable[[str, str], str], window: float,
                    keys: Sequence[tuple[str, str]], run_offset: int) -> tuple[list[Op], bool]:
    """The enumeration detector's updates for a request naming `ids`: per
    (distinct ids key, run key), the ids' keyed digests (at most MEMBERS)
    and, when the last short number joins a run, its value plus the secret
    `run_offset`; and whether it does."""
    members = tuple([digest("id", i) for i in ids[:MEMBERS]])
    last = run_value(ids)
    ops: list[Op] = []
    for ids_key, run_key in keys:
        ops.append(Op("distinct", ids_key, window, members))
        if last is not None:
            ops.append(Op("run", run_key, window, (), last + run_offset))
    return ops, last is not None
