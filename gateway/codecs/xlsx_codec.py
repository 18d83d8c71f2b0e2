"""Spreadsheet exports (XLSX): cells inspected by column header, like fields.

Lending back offices export borrower lists as workbooks. Each worksheet's
first row is its header; every other cell that holds text or a number is a
leaf at `(sheet, row, header)` (rendered `借款人[2].身份证号`), so the header
is context for detection and rules can name columns (`**.身份证号`). Shared
strings, inline strings, numbers and the cached results of formulas are read.

Writing back is surgical: a changed cell becomes an inline string (a shared
string may be used by cells the rules treat differently; a formula whose
result held personal data would compute it again), and only those `<c>`
elements of the sheet parts change; every other part and byte of the
package stays as it was. Caps: the package size, the number of parts, each
part's uncompressed size and compression ratio (zip bombs), and no DTD in any
XML part (entity expansion); anything else refuses the body (fail closed).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import ClassVar
from xml.sax.saxutils import escape, unescape

from gateway.codecs.base import CodecError, Leaf

MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PARTS = 2000
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200

_SHEET_TAG = re.compile(r"<sheet\b([^>]*)>")
_SHEET_NAME = re.compile(r'\bname="([^"]*)"')
_SHEET_REL = re.compile(r'\br:id="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_ALT = re.compile(r'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_SI = re.compile(r"<si>(.*?)</si>|<si/>", re.S)
_T = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>|<t(?:\s[^>]*)?/>", re.S)
_ROW = re.compile(r"<row\b[^>]*/>|<row\b[^>]*>(.*?)</row>", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(r'\b([rts])="([^"]*)"')
_V = re.compile(r"<v>(.*?)</v>", re.S)
_IS = re.compile(r"<is>(.*?)</is>", re.S)
_COLUMN = re.compile(r"[A-Z]+")


def _text(fragment: str) -> str:
    """The text of a string item (<si> or <is>): its <t> runs, unescaped."""
    return "".join(unescape(m.group(1) or "") for m in _T.finditer(fragment))


@dataclass(slots=True)
class _Cell:
    part: str
    span: tuple[int, int]  # of the <c> element in the part's text
    ref: str
    style: str | None


class XlsxDocument:
    def __init__(self, body: bytes) -> None:
        self._original = body
        self._archive = _open(body)
        self._parts: dict[str, str] = {}
        self._leaves: list[Leaf] = []
        self._cells: list[_Cell] = []
        self._changed: set[int] = set()
        shared = [_text(m.group(1) or "") for m in _SI.finditer(
            self._read("xl/sharedStrings.xml", required=False))]
        for name, part in self._sheets():
            self._collect(name, part, shared)

    def _read(self, name: str, required: bool = True) -> str:
        try:
            raw = _part(self._archive, name)
        except KeyError:
            if required:
                raise CodecError("invalid_xlsx", "the workbook is missing a part") from None
            return ""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CodecError("invalid_xlsx", "a workbook part is not UTF-8") from None
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise CodecError("invalid_xlsx", "a workbook part declares a DTD")
        return text

    def _sheets(self) -> list[tuple[str, str]]:
        workbook = self._read("xl/workbook.xml")
        rels = self._read("xl/_rels/workbook.xml.rels")
        targets = {m.group(1): m.group(2) for m in _REL.finditer(rels)}
        targets.update({m.group(2): m.group(1) for m in _REL_ALT.finditer(rels)})
        out = []
        for tag in _SHEET_TAG.finditer(workbook):
            name, rel = _SHEET_NAME.search(tag.group(1)), _SHEET_REL.search(tag.group(1))
            target = targets.get(rel.group(1)) if rel is not None else None
            if name is None or target is None:
                raise CodecError("invalid_xlsx", "a worksheet has no name or no part")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            out.append((unescape(name.group(1)), part))
        if not out:  # nothing to inspect is not the same as nothing in it
            raise CodecError("invalid_xlsx", "the workbook lists no worksheets")
        return out

    def _collect(self, sheet: str, part: str, shared: list[str]) -> None:
        text = self._parts[part] = self._read(part)
        header: dict[str, str] = {}
        for row_index, row in enumerate(_ROW.finditer(text)):
            if row.group(1) is None:
                continue
            base = row.start(1)
            for cell in _CELL.finditer(row.group(1)):
                attrs = dict(_ATTR.findall(cell.group(1)))
                value = _cell_value(attrs.get("t"), cell.group(2) or "", shared)
                if value is None:
                    continue
                ref = attrs.get("r", "")
                column = m.group() if (m := _COLUMN.match(ref)) else str(len(header))
                if row_index == 0:
                    header[column] = value[0]
                    continue
                self._leaves.append(Leaf((sheet, row_index, header.get(column, column)),
                                         value[0], value[1]))
                self._cells.append(_Cell(part, (base + cell.start(), base + cell.end()), ref,
                                         attrs.get("s")))

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        self._leaves[index].text = text
        self._changed.add(index)

    def encode(self) -> bytes:
        if not self._changed:
            return self._original
        edits: dict[str, list[tuple[int, int, str]]] = {}
        for index in self._changed:
            cell = self._cells[index]
            style = f' s="{cell.style}"' if cell.style is not None else ""
            new = (f'<c r="{cell.ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
                   f"{escape(self._leaves[index].text)}</t></is></c>")
            edits.setdefault(cell.part, []).append((*cell.span, new))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in self._archive.infolist():
                data = _part(self._archive, info.filename)
                if info.filename in edits:
                    text = self._parts[info.filename]
                    for start, end, new in sorted(edits[info.filename], reverse=True):
                        text = text[:start] + new + text[end:]
                    data = text.encode("utf-8")
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()


def _cell_value(kind: str | None, inner: str, shared: list[str]) -> tuple[str, bool] | None:
    """(text, is a number) of a cell, or None for an empty, boolean or error cell."""
    if kind == "inlineStr":
        found = _IS.search(inner)
        return (_text(found.group(1)), False) if found else None
    v = _V.search(inner)
    if v is None:
        return None
    raw = unescape(v.group(1))
    if kind == "s":
        try:
            return shared[int(raw)], False
        except (ValueError, IndexError):
            raise CodecError("invalid_xlsx", "a cell names a shared string that is missing"
                             ) from None
    if kind in ("str", None, "n"):
        return raw, kind != "str"
    return None  # b (boolean), e (error), d (date as text is rare and not personal data)


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes (KeyError if absent); a corrupt part refuses the body."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
        raise CodecError("invalid_xlsx", "a workbook part is corrupt") from None


def _open(body: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError):
        raise CodecError("invalid_xlsx", "the body is not a workbook (zip)") from None
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise CodecError("invalid_xlsx", "the workbook has too many parts")
    for info in infos:
        if info.file_size > MAX_PART_BYTES or (
                info.compress_size and info.file_size / info.compress_size > MAX_RATIO):
            raise CodecError("decompression_bomb", "a workbook part expands too far")
    return archive


class XlsxCodec:
    media_types: ClassVar[tuple[str, ...]] = (MEDIA,)

    def decode(self, body: bytes, charset: str) -> XlsxDocument:
        return XlsxDocument(body)
