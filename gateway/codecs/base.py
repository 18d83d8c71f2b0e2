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


# The last segment of a key leaf's path: an object key, a form or query item's
# name, a part's name. The key's own text never becomes a path segment of it.
KEY = "{key}"


class Keyed(Protocol):
    """A document whose keys are data too (JSON object keys, form and query
    item names, multipart part names): they are inspected like values and
    rewritten by the operator the rules choose."""

    def key_leaves(self) -> list[Leaf]:
        """One leaf per key, its path the container's path and KEY."""

    def set_key(self, index: int, text: str) -> None:
        """Rename key `index` (as listed by `key_leaves`); `encode` keeps keys
        of one object distinct."""


def key_leaves(document: Document) -> list[Leaf]:
    """The document's key leaves, or none for documents without keys."""
    keyed = getattr(document, "key_leaves", None)
    return keyed() if keyed is not None else []


def distinct(names: list[str]) -> list[str]:
    """Names made unique in order: a repeat gets a stable suffix (`~2`, `~3`),
    for keys that masking made equal (`139****5678` twice)."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}~{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


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
