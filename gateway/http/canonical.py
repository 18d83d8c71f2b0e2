"""Canonicalise the request target once; routes match on it and it is what we forward."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from gateway.errors import BadPath
from gateway.obs.redact import looks_like_data

# Characters kept literal when re-encoding a path (RFC 3986 pchar minus '%', plus '/').
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_FORBIDDEN_ENCODED = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
_SLASHES = re.compile(r"/{2,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
_PLAIN = re.compile(r"^(?:/[A-Za-z0-9:@!$&'()*+,;=_~-][A-Za-z0-9:@!$&'()*+,;=._~-]*)*/?$")


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # decoded, canonical: what routes match on
    encoded_path: str  # the same path, re-encoded: what is forwarded
    query: str  # the raw query string, byte-exact ('' when absent)
    has_query: bool

    @property
    def forward(self) -> str:
        return self.encoded_path + ("?" + self.query if self.has_query else "")


def canonicalize(raw_target: str) -> Target:
    """Raise BadPath for encoded '/', '\\' or NUL, invalid escapes or UTF-8,
    control characters and dot segments; merge repeated slashes."""
    path, sep, query = raw_target.partition("?")
    if path[:1] == "/" and _PLAIN.match(path) and ".." not in path:
        # Fast path: nothing encoded, no empty, dot or dot-dot segment.
        return Target(path=path, encoded_path=path, query=query, has_query=bool(sep))
    if not path.startswith("/") or "#" in path:
        raise BadPath()
    if _FORBIDDEN_ENCODED.search(path) or _BAD_ESCAPE.search(path) or _CONTROL.search(path):
        raise BadPath()
    try:
        decoded = unquote(path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadPath() from None
    if _CONTROL.search(decoded):
        raise BadPath()
    if any(seg in (".", "..") for seg in decoded.split("/")):
        raise BadPath()
    decoded = _SLASHES.sub("/", decoded)
    return Target(path=decoded, encoded_path=quote(decoded, safe=_PATH_SAFE),
                  query=query, has_query=bool(sep))


def log_safe_path(path: str) -> str:
    """A path with identifier-like segments replaced by '*'."""
    if not looks_like_data(path):  # the common case, in one search
        return path
    return "/".join("*" if looks_like_data(s) else s for s in path.split("/"))


def log_safe(target: Target | None) -> str:
    """The path with identifier-like segments replaced and query values dropped.

    Segments with four or more digits, an '@' or non-ASCII characters become
    '*': paths such as /borrowers/110105199001011234 must not reach a log.
    """
    if target is None:
        return "-"
    out = log_safe_path(target.path)
    if target.has_query and target.query:
        keys = []
        for pair in target.query.split("&"):
            key = unquote(pair.partition("=")[0], errors="replace")
            keys.append("*" if looks_like_data(key) else quote(key, safe=""))
        out += "?" + "&".join(keys)
    return out
