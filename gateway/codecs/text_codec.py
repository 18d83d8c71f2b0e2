"""`text/plain` (and other plain text types): the whole body is one leaf."""

from __future__ import annotations

from typing import ClassVar

from gateway.codecs.base import Leaf
from gateway.codecs.charset import decode_text


class TextDocument:
    def __init__(self, text: str, charset: str, original: bytes) -> None:
        self._leaf = Leaf((), text)
        self._charset = charset
        self._original = original
        self._changed = False

    def leaves(self) -> list[Leaf]:
        return [self._leaf]

    def set(self, index: int, text: str) -> None:
        self._leaf.text = text
        self._changed = True

    def encode(self) -> bytes:
        return self._leaf.text.encode(self._charset) if self._changed else self._original


class TextCodec:
    media_types: ClassVar[tuple[str, ...]] = ("text/plain", "text/html", "text/xml",
                                              "application/xml")

    def decode(self, body: bytes, charset: str) -> TextDocument:
        return TextDocument(decode_text(body, charset), charset, body)
