"""CSV and TSV exports: cells by column header; untouched bodies byte for byte."""

from __future__ import annotations

import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.registry import decode_body

BODY = "姓名,手机号,\r\n张三,13800138000,x\r\n\"李, 四\",\"139\"\"00\",\r\n".encode()


def test_cells_are_leaves_under_their_column_header() -> None:
    doc = decode_body(BODY, "text/csv")
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [
        ((1, "姓名"), "张三"), ((1, "手机号"), "13800138000"), ((1, "column3"), "x"),
        ((2, "姓名"), "李, 四"), ((2, "手机号"), '139"00'), ((2, "column3"), "")]
    assert doc.encode() == BODY


def test_changed_cells_are_written_with_the_same_delimiter_line_ends_and_bom() -> None:
    doc = decode_body(b"\xef\xbb\xbfname\tmobile\n a\t13800138000\n", "text/tab-separated-values")
    doc.set(1, "138****8000")
    assert doc.encode() == b"\xef\xbb\xbfname\tmobile\n a\t138****8000\n"
    gbk = decode_body("姓名,手机\r\n张三,1\r\n".encode("gbk"), "text/csv; charset=gbk")
    gbk.set(0, "张*")
    assert gbk.encode() == "姓名,手机\r\n张*,1\r\n".encode("gbk")
    gbk.set(0, "\u2603")  # not in GBK
    with pytest.raises(CodecError) as caught:
        gbk.encode()
    assert caught.value.code == "unencodable_charset"


def test_what_the_csv_module_cannot_read_is_refused() -> None:
    with pytest.raises(CodecError) as caught:
        decode_body(b'a,b\n"x' + b"y" * 200_000 + b'"\n', "text/csv")
    assert caught.value.code == "invalid_csv"
