"""`application/x-www-form-urlencoded` bodies and URL query strings.

Percent-encoding is decoded before detection, so `%E5%BC%A0` is seen as 张.
Pairs keep their order; a repeated key gets its position as the second path
segment (`tags[1]`). Untouched input is returned byte for byte.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote_plus, unquote_plus

from gateway.codecs.base import KEY, CodecError, Leaf


class FormDocument:
    def __init__(self, raw: str, charset: str, original: bytes) -> None:
        self._charset = charset
        self._original = original
        self._pairs: list[tuple[str, str]] = []
        self._bare: list[bool] = []  # an item without `=` (`?13912345678`)
        self._leaves: list[Leaf] = []
        self._keys: list[Leaf] = []
        seen: dict[str, int] = {}
        for part in raw.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            try:
                key = unquote_plus(name, encoding=charset, errors="strict")
                text = unquote_plus(value, encoding=charset, errors="strict")
            except UnicodeDecodeError:
                raise CodecError("invalid_charset",
                                 f"a form field is not valid percent-encoded {charset}") from None
            count = seen.get(key, 0)
            seen[key] = count + 1
            self._pairs.append((key, text))
            self._bare.append("=" not in part)
            self._leaves.append(Leaf((key, count) if count else (key,), text))
            self._keys.append(Leaf((KEY,), key))
        self._changed = False

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        key, _ = self._pairs[index]
        self._pairs[index] = (key, text)
        self._leaves[index].text = text
        self._changed = True

    def key_leaves(self) -> list[Leaf]:
        """Item names: an item without `=` is all name, and may be the data."""
        return self._keys

    def set_key(self, index: int, text: str) -> None:
        _, value = self._pairs[index]
        self._pairs[index] = (text, value)
        self._keys[index].text = text
        self._changed = True

    def encode(self) -> bytes:
        if not self._changed:
            return self._original
        charset = self._charset
        return "&".join(quote_plus(k, encoding=charset) if bare and not v else
                        f"{quote_plus(k, encoding=charset)}={quote_plus(v, encoding=charset)}"
                        for (k, v), bare in zip(self._pairs, self._bare, strict=True)
                        ).encode("ascii")


class FormCodec:
    media_types: ClassVar[tuple[str, ...]] = ("application/x-www-form-urlencoded",)

    def decode(self, body: bytes, charset: str) -> FormDocument:
        try:
            raw = body.decode("ascii")
        except UnicodeDecodeError:
            raise CodecError("invalid_form", "a form body must be percent-encoded ASCII") from None
        return FormDocument(raw, charset, body)


def decode_query(query: str) -> FormDocument:
    """The query string of a request (UTF-8, as browsers send it)."""
    return FormDocument(query, "utf-8", query.encode("ascii", "surrogateescape"))
