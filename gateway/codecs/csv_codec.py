"""CSV and TSV exports (`text/csv`, `text/tab-separated-values`): cells by
column header, like fields.

The first row is the header; every other cell is a leaf at `(row, header)`
(rendered `[2].手机号`), so the header is context for detection (`姓名` makes
a name findable) and rules can name columns (`**.身份证号`). A column without
a header is `column<N>`. Untouched bodies go on byte for byte; a changed one
is written again with the same delimiter and line ends (quoting where a cell
needs it). A row or field the `csv` module cannot read refuses the body.
"""

from __future__ import annotations

import csv
import io
from typing import ClassVar

from gateway.codecs.base import CodecError, Leaf
from gateway.codecs.charset import decode_text


class CsvDocument:
    def __init__(self, text: str, charset: str, original: bytes, delimiter: str) -> None:
        self._charset = charset
        self._original = original
        self._delimiter = delimiter
        self._newline = "\r\n" if "\r\n" in text else "\n"
        self._bom = original.startswith(b"\xef\xbb\xbf")
        try:
            self._rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            raise CodecError("invalid_csv", "the CSV body cannot be read") from None
        header = self._rows[0] if self._rows else []
        self._leaves: list[Leaf] = []
        self._cells: list[tuple[int, int]] = []
        for r, row in enumerate(self._rows[1:], 1):
            for c, cell in enumerate(row):
                name = header[c] if c < len(header) and header[c].strip() else f"column{c + 1}"
                self._leaves.append(Leaf((r, name), cell))
                self._cells.append((r, c))
        self._changed = False

    def leaves(self) -> list[Leaf]:
        return self._leaves

    def set(self, index: int, text: str) -> None:
        r, c = self._cells[index]
        self._rows[r][c] = text
        self._leaves[index].text = text
        self._changed = True

    def encode(self) -> bytes:
        if not self._changed:
            return self._original
        out = io.StringIO()
        csv.writer(out, delimiter=self._delimiter, lineterminator=self._newline).writerows(
            self._rows)
        try:
            data = out.getvalue().encode(self._charset)
        except UnicodeEncodeError:
            raise CodecError("unencodable_charset", "a protected value cannot be written in "
                             "the body's charset") from None
        return (b"\xef\xbb\xbf" + data) if self._bom else data


class CsvCodec:
    media_types: ClassVar[tuple[str, ...]] = ("text/csv", "application/csv",
                                              "text/tab-separated-values")

    def decode(self, body: bytes, charset: str) -> CsvDocument:
        delimiter = "\t" if body[:4096].count(b"\t") > body[:4096].count(b",") else ","
        return CsvDocument(decode_text(body, charset), charset, body, delimiter)
