"""`multipart/form-data`: text fields are inspected; file parts follow the policy.

A text field (no filename, a `text/*` or absent Content-Type) is a leaf under
its field name. A file part is not inspected; `actions.multipart_files` says
whether it may pass: `block` (the default: refused), `allow`, or a list of
media types that may. Nested multipart is refused. Untouched bodies go on byte
for byte; changed ones keep every part's headers and bytes except the changed
field values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import quote, unquote

from gateway.codecs.base import KEY, CodecError, Leaf
from gateway.codecs.charset import decode_text, resolve

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_EXTENDED = re.compile(r"(;\s*filename\*\s*=\s*)([^;\r\n]*)", re.I)
FILENAME = "{filename}"  # the path of a part's file name (codecs/base.py: KEY)


def _param_value(name: str) -> re.Pattern[str]:
    return re.compile(r"(;\s*" + name + r'\s*=\s*)("(?:[^"\\]|\\.)*"|[^;\r\n]*)', re.I)


def _params(value: str) -> tuple[str, dict[str, str]]:
    main = value.split(";", 1)[0].strip().lower()
    params = {m[1].lower(): m[2].strip().strip('"') for m in _PARAM.finditer(value)}
    extended = params.get("filename*")
    if extended:  # RFC 5987: charset'language'percent-encoded; it wins over filename
        charset, _, rest = extended.partition("'")
        try:
            params["filename"] = unquote(rest.partition("'")[2], encoding=charset or "utf-8",
                                         errors="strict")
        except (LookupError, UnicodeDecodeError):
            raise CodecError("invalid_multipart", "a part's filename* cannot be decoded"
                             ) from None
    return main, params


@dataclass(slots=True)
class Part:
    head: bytes  # the part's header block, as sent
    content: bytes
    name: str | None
    filename: str | None
    media: str
    charset: str


class MultipartDocument:
    def __init__(self, preamble: bytes, parts: list[Part], epilogue: bytes, boundary: bytes,
                 original: bytes) -> None:
        self._preamble = preamble
        self._parts = parts
        self._epilogue = epilogue
        self._boundary = boundary
        self._original = original
        self._index: list[int] = []
        self._leaves: list[Leaf] = []
        self._key_index: list[tuple[int, str]] = []  # (part, "name" or "filename")
        self._keys: list[Leaf] = []
        seen: dict[str, int] = {}
        for i, part in enumerate(parts):
            for which, text in (("name", part.name), ("filename", part.filename)):
                if text:
                    self._key_index.append((i, which))
                    self._keys.append(Leaf((KEY,) if which == "name" else (FILENAME,), text))
            if part.filename is not None or not part.media.startswith("text/"):
                continue
            name = part.name or ""
            count = seen.get(name, 0)
            seen[name] = count + 1
            self._index.append(i)
            self._leaves.append(Leaf((name, count) if count else (name,),
                                     decode_text(part.content, part.charset)))
        self._changed = False

    def files(self) -> list[tuple[str, str]]:
        """(field name, media type) of each file part."""
        return [(p.name or "", p.media) for p in self._parts
                if p.filename is not None or not p.media.startswith("text/")]

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        part = self._parts[self._index[index]]
        part.content = text.encode(part.charset)
        self._leaves[index].text = text
        self._changed = True

    def key_leaves(self) -> list[Leaf]:
        """Part names and file names (`filename`, or `filename*` when given)."""
        return self._keys

    def set_key(self, index: int, text: str) -> None:
        i, which = self._key_index[index]
        part = self._parts[i]
        self._keys[index].text = text
        head = part.head.decode("utf-8")
        quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        head = _param_value(which).sub(lambda m: m.group(1) + quoted, head)
        if which == "filename":
            head = _EXTENDED.sub(lambda m: m.group(1) + "UTF-8''" + quote(text, safe=""), head)
        part.head = head.encode("utf-8")
        self._changed = True

    def encode(self) -> bytes:
        if not self._changed:
            return self._original
        delimiter = b"--" + self._boundary
        out = [self._preamble]
        for part in self._parts:
            out += [delimiter, b"\r\n", part.head, b"\r\n\r\n", part.content, b"\r\n"]
        out += [delimiter, b"--", self._epilogue]
        return b"".join(out)


def _part(raw: bytes) -> Part:
    head, sep, content = raw.partition(b"\r\n\r\n")
    if not sep:
        raise CodecError("invalid_multipart", "a multipart part has no header block")
    try:
        lines = head.decode("utf-8").split("\r\n")
    except UnicodeDecodeError:
        raise CodecError("invalid_multipart", "a multipart part header is not UTF-8") from None
    name = filename = None
    media, charset = "text/plain", "utf-8"
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "content-disposition":
            kind, params = _params(value)
            if kind != "form-data":
                raise CodecError("invalid_multipart", "a part is not form-data")
            name, filename = params.get("name"), params.get("filename")
        elif key == "content-type":
            media, params = _params(value)
            if media.startswith("multipart/"):
                raise CodecError("invalid_multipart", "nested multipart bodies are refused")
            charset = resolve(params.get("charset"))
    return Part(head, content, name, filename, media, charset)


class MultipartCodec:
    media_types: ClassVar[tuple[str, ...]] = ("multipart/form-data",)

    def decode(self, body: bytes, charset: str, boundary: str | None = None) -> MultipartDocument:
        if not boundary or len(boundary) > 70:
            raise CodecError("invalid_multipart", "a multipart body needs a boundary")
        mark = b"--" + boundary.encode("ascii", "replace")
        if body.startswith(mark):
            preamble, rest = b"", body[len(mark):]
        else:
            preamble, found, rest = body.partition(b"\r\n" + mark)
            if not found:
                raise CodecError("invalid_multipart", "the multipart boundary is missing")
            preamble += b"\r\n"
        parts: list[Part] = []
        while True:
            if rest.startswith(b"--"):
                return MultipartDocument(preamble, parts, rest[2:], mark[2:], body)
            if not rest.startswith(b"\r\n"):
                raise CodecError("invalid_multipart", "a multipart boundary line is malformed")
            raw, found, rest = rest[2:].partition(b"\r\n" + mark)
            if not found:
                raise CodecError("invalid_multipart", "the multipart body is not terminated")
            parts.append(_part(raw))
