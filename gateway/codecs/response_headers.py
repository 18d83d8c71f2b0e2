"""Response headers that carry personal data out, as leaves.

Back offices redirect to `/users?mobile=139...`, set `phone=139...` cookies and
name exports `借款人_张三_110105....xlsx`. On a protected route these are
inspected like body fields, with the same rules per role:

- `Location`, `Content-Location`, `Refresh` (its URL) and `Link` (each `<URL>`):
  every path segment (field path `header.location.path`), query value
  (`header.location.query.<name>`; an item without `=`: `header.location.query`)
  and fragment;
- `Set-Cookie`: the cookie's value (`header.set-cookie.<name>`), percent-decoded;
- `Content-Disposition`: `filename` and `filename*`
  (`header.content-disposition.filename`), unquoted or decoded.

Only the pieces that hold leaves are re-encoded, and only in header lines
where a leaf changed; every other byte of a header stays as the upstream sent
it. A value that cannot be decoded (bad percent-encoding) raises CodecError:
the response is refused, not passed unscanned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from multidict import CIMultiDict

from gateway.codecs.base import CodecError, FieldPath, Leaf

URL_HEADERS = ("location", "content-location")
NAMES = (*URL_HEADERS, "refresh", "link", "set-cookie", "content-disposition")
_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"
_REFRESH = re.compile(r"^(\s*\d+(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?)(['\"]?)(.*?)\2\s*$", re.I)
_LINK_URL = re.compile(r"<([^>]*)>")
_HEAD = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/]*)?")  # scheme:, //authority
_FILENAME = re.compile(r"(;\s*filename\s*=\s*)(\"(?:[^\"\\]|\\.)*\"|[^;]*)", re.I)
_FILENAME_EXT = re.compile(r"(;\s*filename\*\s*=\s*)([\w!#$&+.^`|~-]+)'([^']*)'([^;\s]*)", re.I)

Piece = str | int  # literal text, or the index of a leaf


def _strict(decode: Callable[..., str], text: str, **kw: str) -> str:
    try:
        return decode(text, errors="strict", **kw)
    except UnicodeDecodeError:
        raise CodecError("invalid_charset", "a response header is not valid percent-encoded "
                                            "UTF-8") from None


class ResponseHeaderDocument:
    def __init__(self, headers: CIMultiDict[str]) -> None:
        self._headers = headers
        self._leaves: list[Leaf] = []
        self._encoders: list[Callable[[str], str]] = []
        self._line_of: list[int] = []
        self._lines: list[tuple[str, int, list[Piece]]] = []  # (name, occurrence, pieces)
        self._changed: set[int] = set()
        for name in NAMES:
            for occurrence, value in enumerate(headers.getall(name, [])):
                self._lines.append((name, occurrence, self._pieces(name, value)))

    # -- reading ------------------------------------------------------------------------------

    def _leaf(self, path: FieldPath, text: str, encoder: Callable[[str], str]) -> int:
        self._leaves.append(Leaf(path, text))
        self._encoders.append(encoder)
        self._line_of.append(len(self._lines))
        return len(self._leaves) - 1

    def _pieces(self, name: str, value: str) -> list[Piece]:
        base: FieldPath = ("header", name)
        if name in URL_HEADERS:
            return self._url(base, value)
        if name == "refresh":
            m = _REFRESH.match(value)
            if m is None:
                return [value]
            return [m.group(1), m.group(2), *self._url(base, m.group(3)), m.group(2)]
        if name == "link":
            pieces: list[Piece] = []
            last = 0
            for m in _LINK_URL.finditer(value):
                pieces += [value[last:m.start()], "<", *self._url(base, m.group(1)), ">"]
                last = m.end()
            return [*pieces, value[last:]]
        if name == "set-cookie":
            pair, sep, rest = value.partition(";")
            cookie, eq, raw = pair.partition("=")
            if not eq:
                return [value]
            text = _strict(unquote, raw.strip().strip('"'))
            index = self._leaf((*base, cookie.strip().lower()), text, lambda t: quote(t, safe=""))
            return [f"{cookie}=", index, sep + rest]
        return self._disposition(base, value)

    def _url(self, base: FieldPath, url: str) -> list[Piece]:
        rest, hash_, fragment = url.partition("#")
        rest, mark, query = rest.partition("?")
        head = _HEAD.match(rest)
        start = head.end() if head is not None else 0
        pieces: list[Piece] = [rest[:start]]
        for i, segment in enumerate(rest[start:].split("/")):
            if i:
                pieces.append("/")
            if segment:
                pieces.append(self._leaf((*base, "path"), _strict(unquote, segment),
                                         lambda t: quote(t, safe=_SEGMENT_SAFE)))
        if mark:
            pieces.append("?")
            for j, item in enumerate(query.split("&")):
                if j:
                    pieces.append("&")
                key, eq, value = item.partition("=")
                if not eq:  # a key-only item: the item itself may be the data
                    if key:
                        pieces.append(self._leaf((*base, "query"), _strict(unquote_plus, key),
                                                 quote_plus))
                    continue
                pieces += [key + "=", self._leaf((*base, "query", _strict(unquote_plus, key)),
                                                 _strict(unquote_plus, value), quote_plus)]
        if hash_:
            pieces += ["#", self._leaf((*base, "fragment"), _strict(unquote, fragment),
                                       lambda t: quote(t, safe=_SEGMENT_SAFE + "/?"))]
        return pieces

    def _disposition(self, base: FieldPath, value: str) -> list[Piece]:
        spans: list[tuple[int, int, int]] = []
        path = (*base, "filename")
        for m in _FILENAME.finditer(value):
            raw = m.group(2).strip()
            quoted = raw.startswith('"')
            text = re.sub(r"\\(.)", r"\1", raw[1:-1]) if quoted else raw
            index = self._leaf(path, text, _quoted if quoted else _token)
            spans.append((m.start(2), m.end(2), index))
        for m in _FILENAME_EXT.finditer(value):
            charset, lang = m.group(2), m.group(3)
            text = _strict(unquote, m.group(4), encoding=charset)
            index = self._leaf(path, text, _extended(charset, lang))
            spans.append((m.start(2), m.end(4), index))
        pieces: list[Piece] = []
        last = 0
        for start, end, index in sorted(spans):
            pieces += [value[last:start], index]
            last = end
        return [*pieces, value[last:]]

    # -- the Document protocol ----------------------------------------------------------------

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        self._leaves[index].text = text
        self._changed.add(self._line_of[index])

    def encode(self) -> bytes:
        """Write the changed header lines back (order kept); nothing to return."""
        for name in {self._lines[i][0] for i in self._changed}:
            values = self._headers.getall(name)
            for i in self._changed:
                line_name, occurrence, pieces = self._lines[i]
                if line_name == name:
                    values[occurrence] = self._render(pieces)
            self._headers.popall(name)
            for value in values:
                self._headers.add(name, value)
        return b""

    def _render(self, pieces: list[Piece]) -> str:
        return "".join(p if isinstance(p, str) else self._encoders[p](self._leaves[p].text)
                       for p in pieces)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _token(text: str) -> str:
    return text if re.fullmatch(r"[\w!#$&+.^`|~-]*", text) else _quoted(text)


def _extended(charset: str, lang: str) -> Callable[[str], str]:
    def encode(text: str) -> str:
        return f"{charset}'{lang}'" + quote(text, safe="", encoding=charset, errors="replace")
    return encode
