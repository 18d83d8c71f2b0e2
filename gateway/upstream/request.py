"""A request's head as bytes: request line, the headers given, Host and the
body's framing. Header names and values travel as the client sent them
(decoded by aiohttp with surrogateescape, encoded back the same way); a
control character in any of them is refused, as aiohttp's writer does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from multidict import CIMultiDict

# RFC 9110 5.5 / RFC 9112 4: no CR, LF, NUL or other controls (HTAB is allowed)
_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# aiohttp's rule: a method that carries a body gets Content-Length: 0 when it has none
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"})


class InvalidHeader(ValueError):
    def __init__(self) -> None:
        super().__init__("a header carries a control character")


def request_head(method: str, target: str, host: str, headers: CIMultiDict[str],
                 body: bytes | AsyncIterator[bytes] | None) -> tuple[bytes, bool]:
    """The head to send and whether the body goes chunked."""
    chunked = False
    extra = ""
    if isinstance(body, bytes):
        extra = f"Content-Length: {len(body)}\r\n"
    elif body is None:
        if method not in _BODYLESS and "Content-Length" not in headers:
            extra = "Content-Length: 0\r\n"
    elif "Content-Length" not in headers:
        chunked = True
        extra = "Transfer-Encoding: chunked\r\n"
    items = list(headers.items())
    fields = "".join([name + value for name, value in items])
    if _FORBIDDEN.search(fields) or _FORBIDDEN.search(target) or " " in target:
        raise InvalidHeader()
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{extra}"]
    lines += [f"{name}: {value}\r\n" for name, value in items]
    lines.append("\r\n")
    return "".join(lines).encode("utf-8", "surrogateescape"), chunked
