"""Spreadsheet exports: cells by column header; surgical rewrites; caps."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.registry import decode_body
from gateway.codecs.xlsx_codec import MEDIA, XlsxDocument


def workbook(rows: list[list[object]], title: str = "借款人") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS: list[list[object]] = [["姓名", "身份证号", "手机号", "金额"],
                            ["张三", "11010519491231002X", 13800138000, 5000],
                            ["张三", "11010519491231002X", "13800138000", 12.5]]


def test_cells_are_leaves_under_their_column_header() -> None:
    doc = decode_body(workbook(ROWS), MEDIA)
    assert [(leaf.path, leaf.text, leaf.number) for leaf in doc.leaves()][:4] == [
        (("借款人", 1, "姓名"), "张三", False),
        (("借款人", 1, "身份证号"), "11010519491231002X", False),
        (("借款人", 1, "手机号"), "13800138000", True),
        (("借款人", 1, "金额"), "5000", True)]


def test_untouched_workbooks_are_byte_identical() -> None:
    body = workbook(ROWS)
    assert decode_body(body, MEDIA).encode() == body


def test_a_changed_cell_becomes_an_inline_string_and_the_rest_stays() -> None:
    body = workbook(ROWS)
    doc = decode_body(body, MEDIA)
    doc.set(0, "张*")  # row 1's name; row 2 uses the same shared string and keeps it
    doc.set(2, "138****8000")  # a number becomes text
    out = doc.encode()
    sheet = openpyxl.load_workbook(io.BytesIO(out)).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["姓名", "身份证号", "手机号", "金额"],
        ["张*", "11010519491231002X", "138****8000", 5000],
        ["张三", "11010519491231002X", "13800138000", 12.5]]
    before, after = zipfile.ZipFile(io.BytesIO(body)), zipfile.ZipFile(io.BytesIO(out))
    assert before.namelist() == after.namelist()
    changed = [n for n in before.namelist() if before.read(n) != after.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]


def excel_style() -> bytes:
    """A workbook as Excel writes one: shared strings (one used twice), a
    number, and a formula with its cached result."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    shared = ["姓名", "身份证号", "手机号", "全称", "张三", "11010519491231002X"]
    sst = "".join(f"<si><t>{t}</t></si>" for t in shared)
    sheet = (f'<worksheet {ns}><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
             '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
             '<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c>'
             '<c r="C2"><v>13800138000</v></c>'
             '<c r="D2" t="str"><f>A2&amp;B2</f><v>张三11010519491231002X</v></c></row>'
             '<row r="3"><c r="A3" t="s"><v>4</v></c></row>'
             "</sheetData></worksheet>")
    return _zip({
        "[Content_Types].xml": (
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>"),
        "xl/workbook.xml": (f'<workbook {ns} {rel}><sheets><sheet name="借款人" sheetId="1" '
                            'r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>"),
        "xl/worksheets/sheet1.xml": sheet.encode(),
        "xl/sharedStrings.xml": f'<sst {ns} count="7" uniqueCount="6">{sst}</sst>'.encode(),
    })


def test_shared_strings_numbers_and_formula_results_as_excel_writes_them() -> None:
    from gateway.protect.engine import protect
    from tests.conftest import compiled, policy_text
    doc = decode_body(excel_style(), MEDIA)
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [
        (("借款人", 1, "姓名"), "张三"), (("借款人", 1, "身份证号"), "11010519491231002X"),
        (("借款人", 1, "手机号"), "13800138000"), (("借款人", 1, "全称"), "张三11010519491231002X"),
        (("借款人", 2, "姓名"), "张三")]
    policy = compiled(policy_text("http://127.0.0.1:9")
                      + "actions: {defaults: {request: mask, response: mask}}\n")
    protect(doc, policy.protection.plan("protected", "GET", "response", "anonymous"),
            policy.detector)
    sheet = openpyxl.load_workbook(io.BytesIO(doc.encode())).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == ["张*", "1****************X", "138****8000"]
    assert rows[1][3].endswith("1****************X")  # the formula is gone, its result masked
    assert rows[2][0] == "张*"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def test_what_cannot_be_inspected_is_refused() -> None:
    with pytest.raises(CodecError) as not_zip:
        XlsxDocument(b"not a zip")
    assert not_zip.value.code == "invalid_xlsx"
    with pytest.raises(CodecError) as bomb:
        XlsxDocument(_zip({"xl/workbook.xml": b"<a/>" + b" " * 10_000_000}))
    assert bomb.value.code == "decompression_bomb"
    original = zipfile.ZipFile(io.BytesIO(excel_style()))
    parts = {n: original.read(n) for n in original.namelist()}
    with_dtd = {**parts, "xl/sharedStrings.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'
                + parts["xl/sharedStrings.xml"]}
    with pytest.raises(CodecError, match="DTD"):
        XlsxDocument(_zip(with_dtd))
    del parts["xl/workbook.xml"]
    with pytest.raises(CodecError, match="missing a part"):
        XlsxDocument(_zip(parts))


def test_attribute_order_empty_rows_and_missing_sheets() -> None:
    original = zipfile.ZipFile(io.BytesIO(excel_style()))
    parts = {n: original.read(n) for n in original.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b'name="\xe5\x80\x9f\xe6\xac\xbe\xe4\xba\xba" sheetId="1" r:id="rId1"',
        b'r:id="rId1" sheetId="1" name="\xe5\x80\x9f\xe6\xac\xbe\xe4\xba\xba"')
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<row r="3">', b'<row r="3" spans="1:4"/><row r="4">')
    doc = XlsxDocument(_zip(parts))
    assert [leaf.path for leaf in doc.leaves()][-1] == ("借款人", 3, "姓名")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheet ", b"<other ")
    with pytest.raises(CodecError, match="no worksheets"):
        XlsxDocument(_zip(parts))
