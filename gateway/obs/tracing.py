"""W3C Trace Context: `traceparent` and `tracestate` pass through unchanged
(they are end-to-end headers); the trace id of a well-formed `traceparent`
is put in the access line so a trace and a log line can be joined."""

from __future__ import annotations

import re

_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def trace_id(traceparent: str | None) -> str | None:
    """The trace id, or None for a missing or malformed header (version ff and
    all-zero ids are invalid by the spec)."""
    if not traceparent:
        return None
    m = _TRACEPARENT.fullmatch(traceparent.strip())
    if m is None or m.group(1) == "ff" or set(m.group(2)) == {"0"} or set(m.group(3)) == {"0"}:
        return None
    return m.group(2)
