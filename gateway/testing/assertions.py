"""`assert_no_pii`: fail a test when personal data shows in full.

Takes text, bytes, a JSON value (dict or list), a requests-style response
(`.content`, `.headers`, `.url`), an aiohttp response whose body was read
(`await response.read()` first), or a HAR file (a path, or the parsed dict);
every field is scanned with the gateway's detector. Masked values
(`138****8000`) are not personal data in full and are not reported. A failure
names entity types and field paths, never the values.

`allow` takes entity types (`CN_MOBILE`) and field path patterns that may
hold data (`items[*].mobile`, `*.name`: `*` stands for any characters).
`role` with `policy` allows what that policy shows the role in full (a `keep`
rule, or `decrypt` then keep) on the message's route, so "no personal data
beyond what the collections role is granted" is one call.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway.codecs.base import FieldPath, render_path
from gateway.detect import Detector, default_detector
from gateway.detect.capture import Message, documents_of, findings_in, parse_messages
from gateway.http.canonical import log_safe_path
from gateway.policy.compiled import NO_UPSTREAM, CompiledPolicy, compile_file
from gateway.protect.rules import RulePlan


@dataclass(frozen=True, slots=True)
class Found:
    message: str  # "GET /path" for captures and responses, else "data"
    field: str  # body:items[0].idNo, query:mobile
    entity: str
    count: int

    def __str__(self) -> str:
        return f"{self.entity} in {self.field} of {self.message} (x{self.count})"


class PiiFound(AssertionError):
    def __init__(self, found: list[Found]) -> None:
        self.found = tuple(found)
        lines = "\n".join(f"  {f}" for f in found)
        super().__init__(f"personal data in full ({sum(f.count for f in found)}):\n{lines}")


def _response_message(data: Any) -> Message | None:
    """A requests-style or aiohttp response as a message, or None if `data` is neither."""
    headers = getattr(data, "headers", None)
    if headers is None or isinstance(data, str | bytes | bytearray | Mapping | list):
        return None
    content = getattr(data, "content", None)
    if isinstance(content, bytes):  # requests, httpx
        body = content
    elif hasattr(data, "_body"):  # aiohttp's ClientResponse (its .content is a stream)
        if data._body is None:
            raise TypeError("read the aiohttp response's body first: await response.read()")
        body = bytes(data._body)
    else:
        return None
    url = urlsplit(str(getattr(data, "url", "") or "/"))
    request = getattr(data, "request", None)  # requests keeps the method there
    method = getattr(request, "method", None) or getattr(data, "method", None) or "GET"
    low = {str(k).lower(): str(v) for k, v in headers.items()}
    # the label hides path segments that look like data, as the access line does
    return Message(f"{method} {log_safe_path(url.path or '/')}", "response", low, body,
                   url.query)


def _messages(data: Any) -> Iterator[Message]:
    if isinstance(data, Path) or (isinstance(data, str) and data.endswith((".har", ".jsonl"))
                                  and Path(data).is_file()):
        yield from parse_messages(Path(data).read_text(encoding="utf-8"))
        return
    if isinstance(data, Mapping) and "log" in data:  # a parsed HAR
        yield from parse_messages(json.dumps(data))
        return
    response = _response_message(data)
    if response is not None:
        yield response
        return
    if isinstance(data, str):
        data = data.encode("utf-8")
    if isinstance(data, bytes | bytearray):
        body = bytes(data)
        try:
            json.loads(body)
            media = "application/json"
        except ValueError:
            media = "text/plain; charset=utf-8"
        yield Message("data", "response", {"content-type": media}, body)
        return
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")  # a JSON value
    yield Message("data", "response", {"content-type": "application/json"}, body)


def _shown_in_full(policy: CompiledPolicy, role: str, route_path: str, method: str,
                   direction: str) -> RulePlan | None:
    route = policy.route_for(method, None, route_path)
    if route is None:
        return None
    return policy.protection.plan(route.name, method, direction, role)


def _granted(plan: RulePlan | None, path: FieldPath, entity: str) -> bool:
    if plan is None:
        return False
    rule = plan.field_rule(path) or plan.rule_for(entity, path)
    operator = rule.operator if rule is not None else plan.default
    return bool(getattr(operator, "reveals", False))


def _pattern(text: str) -> re.Pattern[str]:
    """A field path pattern: `*` stands for any characters, the rest is literal
    (`items[*].mobile` matches `items[3].mobile`)."""
    return re.compile(".*".join(re.escape(part) for part in text.split("*")))


def find_pii(data: Any, *, entities: Collection[str] | None = None,
             allow: Collection[str] = (), role: str | None = None,
             policy: str | Path | CompiledPolicy | None = None, route: str | None = None,
             method: str | None = None, detector: Detector | None = None) -> list[Found]:
    """What `assert_no_pii` would report (an empty list when nothing is found)."""
    compiled = (compile_file(policy, NO_UPSTREAM) if isinstance(policy, str | Path)
                else policy)
    if role is not None and compiled is None:
        raise TypeError("role needs the policy that grants it")
    if detector is None:
        detector = compiled.detector if compiled is not None else default_detector()
    allowed_entities = {a for a in allow if a.isupper() and "." not in a}
    patterns = [_pattern(a) for a in allow if a not in allowed_entities]
    counts: Counter[tuple[str, str, str]] = Counter()
    for message in _messages(data):
        documents, reason = documents_of(message)
        if reason is not None:
            raise ValueError(f"{message.path} {message.direction}: cannot inspect ({reason})")
        plan = None
        if role is not None and compiled is not None:
            verb, _, url_path = message.path.partition(" ")
            plan = _shown_in_full(compiled, role, route or (url_path if verb != "data" else "/"),
                                  (method or (verb if verb != "data" else "GET")).upper(),
                                  message.direction)
        for where, document in documents:
            for path, entity in findings_in(document, detector):
                field = render_path(path)
                if entities is not None and entity not in entities:
                    continue
                if entity in allowed_entities or _granted(plan, path, entity):
                    continue
                wild = render_path(path, positions=False)
                if any(p.fullmatch(field) or p.fullmatch(wild) for p in patterns):
                    continue
                counts[(message.path, f"{where}:{field}", entity)] += 1
    return [Found(m, f, e, n) for (m, f, e), n in sorted(counts.items())]


def assert_no_pii(data: Any, *, entities: Collection[str] | None = None,
                  allow: Collection[str] = (), role: str | None = None,
                  policy: str | Path | CompiledPolicy | None = None, route: str | None = None,
                  method: str | None = None, detector: Detector | None = None) -> None:
    """Raise `PiiFound` (an AssertionError) listing entity types and field
    paths when `data` holds personal data in full that is not allowed."""
    # pytest prints the arguments of every frame in a traceback: hide this one,
    # or the failure report would carry the very values it must not show
    __tracebackhide__ = True
    found = find_pii(data, entities=entities, allow=allow, role=role, policy=policy,
                     route=route, method=method, detector=detector)
    if found:
        raise PiiFound(found)
