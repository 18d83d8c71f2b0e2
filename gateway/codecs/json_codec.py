"""JSON (`application/json`, `application/*+json`): order kept, numbers kept
literally, duplicate keys refused (parsers disagree on which one wins)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from gateway.codecs.base import KEY, CodecError, FieldPath, Leaf, distinct
from gateway.codecs.tables import cell_key, column_names

# Deeper documents are refused (the native parser has the same limit; Python's
# own stops near the recursion limit).
MAX_DEPTH = 256
TOO_DEEP = "the JSON body is nested too deeply"
SURROGATE = "the JSON body holds an unpaired surrogate escape"


class JsonNumber(str):
    """A JSON number, kept as the literal the sender wrote."""

    __slots__ = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CodecError("duplicate_key", "the JSON body has a duplicate object key")
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise CodecError("invalid_json", f"the JSON body contains {name}, which JSON does not allow")


def parse(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_int=JsonNumber,
                          parse_float=JsonNumber, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise CodecError("invalid_json",
                         f"the JSON body is malformed (line {exc.lineno}, column {exc.colno})"
                         ) from None
    except RecursionError:
        raise CodecError("invalid_json", TOO_DEEP) from None


class _Literal(Exception):
    """A number whose text Python's encoder would write differently."""


def _plain(value: Any) -> Any:
    """The tree with numbers as int/float, when their text would come out the
    same from Python's (C) encoder; raises _Literal otherwise."""
    if isinstance(value, dict):  # loops, not comprehensions: one frame per level
        plain = {}
        for key, item in value.items():
            plain[key] = _plain(item)
        return plain
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(_plain(item))
        return items
    if type(value) is JsonNumber:
        text = str.__str__(value)
        if "." in text or "e" in text or "E" in text:
            number = float(text)
            if repr(number) != text:
                raise _Literal
            return number
        if text == "-0":
            raise _Literal
        try:
            return int(text)
        except ValueError:  # more digits than int() converts
            raise _Literal from None
    return value


def dumps(value: Any) -> str:
    """Compact JSON with every number written as it was received."""
    try:
        return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))
    except _Literal:
        parts: list[str] = []
        _write(value, parts)
        return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, JsonNumber):
        out.append(str.__str__(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        out.append(json.dumps(value))


class JsonDocument:
    def __init__(self, value: Any, original: bytes, charset: str) -> None:
        self.value = value
        self._original = original
        self._charset = charset
        self._leaves: list[Leaf] = []
        self._slots: list[tuple[Any, str | int]] = []
        self._keys: list[Leaf] = []
        self._key_slots: list[tuple[dict[str, Any], str]] = []
        self._renamed: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
        self._changed = False
        self._collect(value, (), None, None, 0)

    def _collect(self, value: Any, path: FieldPath, parent: Any, key: str | int | None,
                 depth: int) -> None:
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            raise CodecError("invalid_json", TOO_DEEP)
        if isinstance(value, dict):
            tables = column_names(value) if value else {}
            for k, item in value.items():
                self._keys.append(Leaf((*path, KEY), k))
                self._key_slots.append((value, k))
                names = tables.get(k)
                if names is not None:  # a table's rows: cells named by their columns
                    self._rows(item, (*path, k), names, depth + 1)
                    continue
                self._collect(item, (*path, k), value, k, depth + 1)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._collect(item, (*path, i), value, i, depth + 1)
        elif isinstance(value, str):
            self._leaves.append(Leaf(path, str.__str__(value), isinstance(value, JsonNumber)))
            self._slots.append((parent, key if key is not None else 0))

    def _rows(self, rows: list[Any], path: FieldPath, names: tuple[str, ...],
              depth: int) -> None:
        if depth + 1 >= MAX_DEPTH:
            raise CodecError("invalid_json", TOO_DEEP)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                # the leaf is written back to row[j]; its path names the column
                self._collect(cell, (*path, i, cell_key(names, j)), row, j, depth + 2)

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        parent, key = self._slots[index]
        self._leaves[index].text = text
        self._changed = True
        if parent is None:
            self.value = text
        else:
            parent[key] = text  # a number that held personal data becomes a string

    def key_leaves(self) -> list[Leaf]:
        return self._keys

    def set_key(self, index: int, text: str) -> None:
        owner, key = self._key_slots[index]
        self._keys[index].text = text
        self._renamed.setdefault(id(owner), (owner, {}))[1][key] = text
        self._changed = True

    def _apply_renames(self) -> None:
        """Renamed keys into their objects, order kept, names kept distinct
        (the duplicate-key rule holds for what the gateway writes too)."""
        for owner, names in self._renamed.values():
            items = list(owner.items())
            keys = distinct([names.get(k, k) for k, _ in items])
            owner.clear()
            owner.update(zip(keys, (v for _, v in items), strict=True))
        self._renamed.clear()

    def encode(self) -> bytes:
        if not self._changed:
            return self._original
        self._apply_renames()
        try:
            return dumps(self.value).encode(self._charset)
        except UnicodeEncodeError:
            if self._charset == "utf-8":
                raise CodecError("invalid_json", SURROGATE) from None
            raise CodecError("unencodable_charset", "a protected value cannot be written in "
                             "the body's charset") from None


class JsonCodec:
    media_types: ClassVar[tuple[str, ...]] = ("application/json", "+json")

    def decode(self, body: bytes, charset: str) -> JsonDocument:
        from gateway.codecs.charset import decode_text
        return JsonDocument(parse(decode_text(body, charset)), body, charset)


class NdjsonDocument:
    """One JSON document per line; leaf paths start with the line number."""

    def __init__(self, lines: list[JsonDocument | None], original: bytes, charset: str) -> None:
        self._lines = lines
        self._original = original
        self._charset = charset
        self._index: list[tuple[int, int]] = []
        self._leaves: list[Leaf] = []
        self._key_index: list[tuple[int, int]] = []
        self._keys: list[Leaf] = []
        for n, doc in enumerate(lines):
            if doc is None:
                continue
            for i, leaf in enumerate(doc.leaves()):
                self._index.append((n, i))
                self._leaves.append(Leaf((n, *leaf.path), leaf.text, leaf.number))
            for i, leaf in enumerate(doc.key_leaves()):
                self._key_index.append((n, i))
                self._keys.append(Leaf((n, *leaf.path), leaf.text))
        self._changed = False

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        n, i = self._index[index]
        doc = self._lines[n]
        assert doc is not None
        doc.set(i, text)
        self._leaves[index].text = text
        self._changed = True

    def key_leaves(self) -> list[Leaf]:
        return self._keys

    def set_key(self, index: int, text: str) -> None:
        n, i = self._key_index[index]
        doc = self._lines[n]
        assert doc is not None
        doc.set_key(i, text)
        self._keys[index].text = text
        self._changed = True

    def encode(self) -> bytes:
        if not self._changed:
            return self._original
        return b"\n".join(doc.encode() if doc is not None else b"" for doc in self._lines)


class NdjsonCodec:
    media_types: ClassVar[tuple[str, ...]] = ("application/x-ndjson", "application/jsonl",
                                              "application/json-seq")

    def decode(self, body: bytes, charset: str) -> NdjsonDocument:
        from gateway.codecs.charset import decode_text
        text = decode_text(body, charset)
        docs: list[JsonDocument | None] = []
        for line in text.split("\n"):
            stripped = line.strip().lstrip("\x1e")
            if not stripped:
                docs.append(None)
                continue
            docs.append(JsonDocument(parse(stripped), line.encode(charset), charset))
        return NdjsonDocument(docs, body, charset)
