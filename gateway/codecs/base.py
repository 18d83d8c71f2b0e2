"""What a codec gives the protection pipeline: a body as addressable text leaves.

A codec decodes bytes into a `Document`; the pipeline reads its leaves (a field
path and the text at it), writes back the leaves it changed, and asks for the
bytes. A document nobody changed encodes to exactly the bytes it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from gateway.obs.redact import looks_like_data

FieldPath = tuple[str | int, ...]


class CodecError(Exception):
    """The body cannot be inspected. `code` is stable; the message names no data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Leaf:
    path: FieldPath
    text: str
    number: bool = False  # a JSON number, given as its literal text


class Document(Protocol):
    def leaves(self) -> list[Leaf]: ...

    def set(self, index: int, text: str) -> None:
        """Replace the text of leaf `index` (as listed by `leaves`)."""

    def encode(self) -> bytes: ...


class Codec(Protocol):
    media_types: ClassVar[tuple[str, ...]]

    def decode(self, body: bytes, charset: str) -> Document: ...


def hints_for(path: FieldPath) -> tuple[str, ...]:
    """The field names a leaf sits under, the nearest two, for detection."""
    names = [part for part in path if isinstance(part, str)]
    return tuple(names[-2:])


def pattern_path(path: FieldPath) -> str:
    """`items[*].applicant.idNo`: the path with list positions as `[*]`, for
    counting by field (a 100-record list is one field, not a hundred)."""
    return render_path(path, positions=False)


def render_path(path: FieldPath, positions: bool = True) -> str:
    """`applicant.cards[2].no`, for error messages and tool output. Keys can be
    personal data themselves (a map keyed by mobile number or by name), so
    keys that look like data are shown as `*`, by the rule the access log uses
    for path segments (`obs/redact.py: looks_like_data`)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]" if positions else "[*]"
            continue
        shown = "*" if looks_like_data(part) or len(part) > 64 else part
        out += f".{shown}" if out else shown
    return out or "$"
