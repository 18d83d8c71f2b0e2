"""Table-shaped JSON: which objects are tables, and what each cell is called."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.codecs.tables import cell_key, column_names, is_header_key


@pytest.mark.parametrize(("obj", "expected"), [
    ({"columns": ["name", "mobile"], "rows": [["张三", "13800138000"]]},
     {"rows": ("name", "mobile")}),
    ({"headers": ["姓名", "手机号"], "data": [], "values": [["a"]]},       # empty rows: nothing
     {"values": ("姓名", "手机号")}),
    ({"columns": [{"title": "姓名", "dataIndex": "custName"}, {"label": "手机", "prop": "tel"}],
      "list": [["张三", "13800138000"]]}, {"list": ("custName", "tel")}),
    ({"columns": ["a", "b"], "index": [0, 1], "data": [[1, 2], [3, 4]]},  # pandas' split orient
     {"data": ("a", "b")}),
    ({"COLUMN_NAMES": ["x"], "Row_Data": [["1"]]}, {"Row_Data": ("x",)}),
    ({"表头": ["姓名"], "数据": [["张三"]]}, {"数据": ("姓名",)}),
    # not tables
    ({"columns": ["a"], "rows": [{"a": 1}]}, {}),                          # rows are records
    ({"columns": ["a"], "rows": [["x"], {"a": 1}]}, {}),                   # mixed rows
    ({"columns": [], "rows": [["x"]]}, {}),                                 # no column names
    ({"columns": ["a", ""], "rows": [["x", "y"]]}, {}),                    # an unnamed column
    ({"columns": [{"width": 3}], "rows": [["x"]]}, {}),                    # a nameless column
    ({"header": {"code": "0000"}, "body": [["x"]]}, {}),                   # an envelope's header
    ({"columns": "name,mobile", "rows": [["x"]]}, {}),
    ({"rows": [["x"]]}, {}),
])
def test_column_names(obj: dict[str, Any], expected: dict[str, tuple[str, ...]]) -> None:
    assert column_names(obj) == expected


def test_cells_beyond_the_named_columns_keep_their_position() -> None:
    assert [cell_key(("a", "b"), i) for i in range(4)] == ["a", "b", 2, 3]


def test_header_keys() -> None:
    assert all(is_header_key(k) for k in ("columns", "Columns", "column_names", "fields", "表头"))
    assert not any(is_header_key(k) for k in ("header", "head", "rows", "data", "name"))
