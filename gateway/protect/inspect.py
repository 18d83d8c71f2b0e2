"""The inspection core: one body decoded, protected and encoded, the same on
the event loop, on a worker thread and in an offload child.

`inspect_now` does the work. A child process cannot raise into the parent, so
`as_result` turns its answer, or the exception it ends with, into a plain
picklable tuple, and `from_result` turns the tuple back into the same answer or
exception in the parent: every path then fails closed in one place
(`pipeline.inspect_body`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.codecs.base import CodecError
from gateway.codecs.content_encoding import decode_content
from gateway.codecs.multipart_codec import MultipartDocument
from gateway.codecs.registry import decode_body
from gateway.crypto.usage import KeyExhausted, KeyUsage
from gateway.detect import DetectionTimeout, Detector
from gateway.errors import FieldBlocked
from gateway.protect.engine import Collect, Outcome, protect
from gateway.protect.native_json import inspect_json
from gateway.protect.rules import RulePlan

# A child's answer: ("ok", body, decoded, counts, key uses, values, reveals) or
# the exception it ended with, by kind.
Result = tuple[Any, ...]


class FileRefused(Exception):
    """A multipart file part the policy does not accept. A policy decision,
    not an inspection failure: `on_error: passthrough` does not apply."""


@dataclass(slots=True)
class Inspected:
    body: bytes
    decoded: bool  # True: the body is now identity-encoded and was rewritten
    outcome: Outcome | None


def inspect_now(body: bytes, content_type: str | None, encoding: str | None, limit: int,
                plan: RulePlan, detector: Detector, file_types: frozenset[str] | None,
                collect: Collect = False) -> Inspected:
    plain = decode_content(body, encoding, limit)
    fast = inspect_json(plain, content_type, plan, detector, collect)
    if fast is not None:  # the native core took it (JSON and NDJSON in UTF-8)
        new, outcome = fast
        return Inspected(body, False, outcome) if new is None else Inspected(new, True, outcome)
    document = decode_body(plain, content_type)
    if (isinstance(document, MultipartDocument) and file_types is not None
            and any(media not in file_types for _, media in document.files())):
        raise FileRefused
    outcome = protect(document, plan, detector, collect=collect)
    if not outcome.changed:
        return Inspected(body, False, outcome)
    return Inspected(document.encode(), True, outcome)


def as_result(work: Callable[[], Inspected], uses: Callable[[], dict[str, int]]) -> Result:
    """Run `work` (in a child) and return its answer or exception as a tuple;
    `uses`: the encryptions it did, which the parent saves."""
    try:
        done = work()
    except FieldBlocked as exc:
        return ("blocked", exc.rule_status, exc.path, exc.entity)
    except KeyExhausted as exc:
        return ("exhausted", exc.kid, exc.purpose)
    except FileRefused:
        return ("file",)
    except CodecError as exc:
        return ("codec", exc.code, exc.message)
    except DetectionTimeout:
        return ("timeout",)
    outcome = done.outcome
    return ("ok", done.body, done.decoded, dict(outcome.counts) if outcome else {}, uses(),
            outcome.values if outcome else None, outcome.reveals if outcome else None)


def from_result(result: Result, usage: KeyUsage | None) -> Inspected:
    """The tuple `as_result` made: the same Inspected, or the same exception."""
    kind = result[0]
    if kind == "ok":
        _, body, decoded, counts, uses, values, reveals = result
        if usage is not None:
            usage.add(uses)
        return Inspected(body, decoded, Outcome(Counter(counts), decoded, values, reveals))
    if kind == "exhausted":
        raise KeyExhausted(result[1], result[2])
    if kind == "blocked":
        raise FieldBlocked(result[1], result[2], result[3])
    if kind == "file":
        raise FileRefused
    if kind == "codec":
        raise CodecError(result[1], result[2])
    if kind == "timeout":
        raise DetectionTimeout()
    raise ValueError(f"not an inspection result: {kind!r}")
