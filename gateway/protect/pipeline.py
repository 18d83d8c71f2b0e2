"""Inspect one body (or query string) on a protected route: decode, protect, encode.

Fails closed: a body that cannot be decoded, parsed or scanned does not pass
(415/413/400 for requests, 502 for responses), unless the route says
`on_error: passthrough`, which is logged on every message it lets through.
JSON and NDJSON in UTF-8 go through the native core when it is built
(`gateway/protect/native_json.py`), everything else through the codecs and the
reference engine. Large bodies are inspected on a worker thread so the event
loop keeps serving, very large ones in a separate process when the policy came
from a file (`offload.py` has the limits for each path).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from multidict import CIMultiDict

from gateway.codecs.base import CodecError, Document, key_leaves
from gateway.codecs.form_codec import decode_query
from gateway.codecs.header_codec import HeaderDocument
from gateway.codecs.response_headers import NAMES as RESPONSE_HEADERS
from gateway.codecs.response_headers import ResponseHeaderDocument
from gateway.crypto.usage import KeyUsage
from gateway.detect import DetectionTimeout, Detector
from gateway.errors import FieldBlocked, InspectionError
from gateway.obs.logging import get_logger
from gateway.protect.engine import Collect, Outcome, protect
from gateway.protect.inspect import FileRefused, Inspected, from_result, inspect_now
from gateway.protect.native_json import takes
from gateway.protect.offload import Job, ProcessInspector, limits
from gateway.protect.rules import RulePlan

log = get_logger("gateway.protect")
_REQUEST_STATUS = {
    "unsupported_media_type": 415, "unsupported_charset": 415, "unsupported_encoding": 415,
    "decoded_too_large": 413,
}


@dataclass(frozen=True, slots=True)
class BodyRules:
    """How the bodies of one direction of one exchange are inspected: built
    once per direction (gateway/proxy/inspection.py), read by every path."""

    plan: RulePlan
    detector: Detector
    direction: str
    route: str  # its name, for the log line of a passthrough
    limit: int  # bytes a decoded body may grow to
    passthrough: bool  # on_error: passthrough
    file_types: frozenset[str] | None = frozenset()
    collect: Collect = False  # reveals (and values): engine.Collect
    usage: KeyUsage | None = None  # where encryptions done in a child process are counted


# Makes the child-process job for a body, only when one is needed.
Offload = Callable[[], tuple[ProcessInspector, Job]]


async def inspect_body(body: bytes, content_type: str | None, encoding: str | None,
                       rules: BodyRules, offload: Offload | None = None) -> Inspected:
    """The body inspected inline, on a worker thread or in a child process by
    size; fails closed (or passes through, as the route says) in one place."""
    plan, detector, direction = rules.plan, rules.detector, rules.direction
    thread_bytes, process_bytes = limits(takes(content_type, detector))
    try:
        if offload is not None and len(body) > process_bytes:
            inspector, job = offload()
            result = await inspector.run(job)
            if result[0] != "unavailable":
                return from_result(result, rules.usage)
        if len(body) > thread_bytes:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, inspect_now, body, content_type, encoding,
                                              rules.limit, plan, detector, rules.file_types,
                                              rules.collect)
        return inspect_now(body, content_type, encoding, rules.limit, plan, detector,
                           rules.file_types, rules.collect)
    except FieldBlocked as exc:
        raise exc.towards(direction) from None
    except FileRefused:
        if direction == "request":
            raise InspectionError(415, "file_part_not_allowed",
                                  "the body carries a file part this route does not accept"
                                  ) from None
        raise InspectionError(502, "upstream_file_part_not_allowed",
                              "the upstream response carries a file part this route does not "
                              "accept") from None
    except CodecError as exc:
        return _failed(exc.code, exc.message, body, direction, rules.route, rules.passthrough)
    except DetectionTimeout:
        return _failed("inspection_timeout", "inspecting the body took too long", body,
                       direction, rules.route, rules.passthrough)


def _failed(code: str, message: str, body: bytes, direction: str, route: str,
            passthrough: bool) -> Inspected:
    if passthrough:
        log.warning("inspection_skipped", route=route, direction=direction, reason=code)
        return Inspected(body, False, None)
    if direction == "request":
        status = 503 if code == "inspection_timeout" else _REQUEST_STATUS.get(code, 400)
        raise InspectionError(status, code, message)
    raise InspectionError(502, f"upstream_{code}", f"the upstream response: {message}")


def inspect_headers(headers: CIMultiDict[str], names: frozenset[str], cookies: frozenset[str],
                    plan: RulePlan, detector: Detector, direction: str) -> Outcome | None:
    """Protect the selected headers and cookies in place."""
    return _protect_headers(HeaderDocument(headers, names, cookies, direction == "request"),
                            plan, detector, direction)


def inspect_response_headers(headers: CIMultiDict[str], plan: RulePlan,
                             detector: Detector) -> Outcome | None:
    """Protect the response headers that carry data out (Location, Set-Cookie,
    Content-Disposition, Link, Refresh: codecs/response_headers.py) in place;
    one that cannot be decoded refuses the response."""
    if not any(name in headers for name in RESPONSE_HEADERS):
        return None
    try:
        document = ResponseHeaderDocument(headers)
    except CodecError as exc:
        raise InspectionError(502, f"upstream_{exc.code}",
                              "the upstream response carries a header that cannot be "
                              "inspected") from None
    return _protect_headers(document, plan, detector, "response")


def _protect_headers(document: Document, plan: RulePlan, detector: Detector,
                     direction: str) -> Outcome | None:
    if not document.leaves() and not key_leaves(document):
        return None
    try:
        outcome = protect(document, plan, detector)
    except FieldBlocked as exc:
        raise exc.towards(direction) from None
    except DetectionTimeout:
        raise InspectionError(503 if direction == "request" else 502, "inspection_timeout",
                              "inspecting the headers took too long") from None
    document.encode()
    return outcome


def inspect_query(query: str, plan: RulePlan, detector: Detector) -> tuple[str, Outcome]:
    """The query string with personal data protected (request direction)."""
    try:
        document = decode_query(query)
        outcome = protect(document, plan, detector)
    except FieldBlocked as exc:
        raise exc.towards("request") from None
    except CodecError as exc:
        raise InspectionError(400, exc.code, "the query string cannot be decoded") from None
    except DetectionTimeout:
        raise InspectionError(503, "inspection_timeout",
                              "inspecting the query string took too long") from None
    if not outcome.changed:
        return query, outcome
    return document.encode().decode("ascii"), outcome
