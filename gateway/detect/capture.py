"""Personal data in captured traffic (HAR or JSONL), for `pii-gateway scan`.

For CI: capture what a service (or the gateway) sends, scan it, and fail the
build when anything unprotected shows up. Reads a HAR file, or JSON lines of
`{"method", "url", "request": {"headers", "body"}, "response": {"status",
"headers", "body"}}` (bodies as text, or `body_base64`). Reports every finding
by URL path, direction, field path and entity type, with counts, never
values. Exit code 1 when anything was found, 2 when the file cannot be read.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway.codecs.base import CodecError, Document, FieldPath, hints_for, render_path
from gateway.codecs.content_encoding import decode_content
from gateway.codecs.form_codec import decode_query
from gateway.codecs.registry import decode_body
from gateway.detect import Detector
from gateway.http.canonical import log_safe_path

LIMIT = 64 * 1024 * 1024
_MASKED = re.compile(r"([*•×#])\1")  # two mask characters in a row


@dataclass(frozen=True, slots=True)
class Message:
    path: str  # URL path, shown with data-looking segments hidden
    direction: str
    headers: Mapping[str, str]
    body: bytes
    query: str = ""


def _headers(raw: Any) -> dict[str, str]:
    if isinstance(raw, list):  # HAR: [{"name", "value"}]
        return {str(h["name"]).lower(): str(h["value"]) for h in raw}
    return {str(k).lower(): str(v) for k, v in (raw or {}).items()}


def _body(part: Mapping[str, Any], text_key: str) -> bytes:
    if "body_base64" in part:
        return base64.b64decode(part["body_base64"])
    text = part.get(text_key)
    if text is None:
        return b""
    if part.get("encoding") == "base64":
        return base64.b64decode(text)
    return str(text).encode()


def _from_entry(method: str, url: str, request: Mapping[str, Any],
                response: Mapping[str, Any], har: bool) -> Iterator[Message]:
    split = urlsplit(url)
    path = log_safe_path(split.path or "/")
    req_headers = _headers(request.get("headers"))
    if har:
        post = request.get("postData") or {}
        if post.get("mimeType") and "content-type" not in req_headers:
            req_headers["content-type"] = post["mimeType"]
        req_body = _body(post, "text")
        content = response.get("content") or {}
        resp_headers = _headers(response.get("headers"))
        if content.get("mimeType"):
            resp_headers["content-type"] = content["mimeType"]
        resp_headers.pop("content-encoding", None)  # HAR keeps decoded text
        resp_body = _body(content, "text")
    else:
        req_body = _body(request, "body")
        resp_headers = _headers(response.get("headers"))
        resp_body = _body(response, "body")
    yield Message(f"{method} {path}", "request", req_headers, req_body, split.query)
    if response:
        yield Message(f"{method} {path}", "response", resp_headers, resp_body)


def read_messages(path: Path) -> Iterator[Message]:
    return parse_messages(path.read_text(encoding="utf-8"))


def parse_messages(text: str) -> Iterator[Message]:
    """The messages of a HAR document or of JSON lines (ValueError if neither)."""
    stripped = text.lstrip()
    if stripped.startswith("{") and '"log"' in stripped[:2000]:
        try:
            entries = json.loads(text)["log"]["entries"]
        except (json.JSONDecodeError, KeyError, TypeError):
            entries = None
        if entries is not None:
            for entry in entries:
                request = entry.get("request") or {}
                yield from _from_entry(str(request.get("method", "GET")),
                                       str(request.get("url", "/")), request,
                                       entry.get("response") or {}, har=True)
            return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            raise ValueError(f"line {number} is not JSON") from None
        yield from _from_entry(str(item.get("method", "GET")), str(item.get("url", "/")),
                               item.get("request") or {}, item.get("response") or {}, har=False)


def scan(messages: Iterator[Message], detector: Detector,
         ) -> tuple[Counter[tuple[str, str, str, str]], Counter[tuple[str, str, str]]]:
    """(findings by (path, direction, field, entity), uninspectable by (path,
    direction, reason))."""
    found: Counter[tuple[str, str, str, str]] = Counter()
    skipped: Counter[tuple[str, str, str]] = Counter()
    for message in messages:
        documents, reason = documents_of(message)
        if reason is not None:
            skipped[(message.path, message.direction, reason)] += 1
        for where, document in documents:
            for path, entity in findings_in(document, detector):
                found[(message.path, message.direction, f"{where}:{render_path(path)}",
                       entity)] += 1
    return found, skipped


def documents_of(message: Message) -> tuple[list[tuple[str, Document]], str | None]:
    """The query and body of a message as documents ("query", "body"), and the
    reason (an error code) when the body cannot be decoded."""
    documents: list[tuple[str, Document]] = []
    if message.query:
        documents.append(("query", decode_query(message.query)))
    if message.body:
        try:
            plain = decode_content(message.body, message.headers.get("content-encoding"), LIMIT)
            documents.append(("body", decode_body(plain, message.headers.get("content-type"))))
        except CodecError as exc:
            return documents, exc.code
    return documents, None


def findings_in(document: Document, detector: Detector) -> Iterator[tuple[FieldPath, str]]:
    """(field path, entity type) of every finding in a document's leaves that
    is not a masked value: a finding with a run of mask characters in it or
    right beside it (`湖北省武汉市武昌区****`, `u****@example.cn`) is what a
    mask left visible, not personal data in full."""
    leaves = document.leaves()
    results = detector.detect_many([(leaf.text, hints_for(leaf.path)) for leaf in leaves])
    for leaf, findings in zip(leaves, results, strict=True):
        for f in findings:
            # in the span or right beside it (a masked address's visible part
            # can end a character before the mask: 江苏省南京市鼓楼|区****)
            if not _MASKED.search(leaf.text, max(0, f.start - 2), f.end + 3):
                yield leaf.path, f.entity_type
