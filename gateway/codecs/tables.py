"""Table-shaped JSON: column names in one array, rows as arrays beside it.

Report and export APIs, pandas' `split` orient and admin-console grids send
tables as `{"columns": ["name", "mobile"], "rows": [["张三", "138..."], ...]}`
(or `headers` + `data`, `fields` + `values`, column objects such as antd's
`{"title": "姓名", "dataIndex": "name"}`). A cell's field name is then its
column's name, not its position: the JSON codec gives the cell at `rows[3][1]`
the path `rows[3].mobile`, so field rules, data classes and detection hints
apply to it exactly as to `{"rows": [{"mobile": ...}]}`.

A table is an object with a header key (below) holding a non-empty array of
column names (strings, or objects naming their column) and a row key holding an
array whose items are all arrays. Cells beyond the named columns keep their
positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Key names, compared lower-case without `_` and `-`.
HEADER_KEYS = frozenset({"columns", "cols", "column", "headers", "columnnames", "colnames",
                         "fields", "fieldnames", "titles", "thead", "表头", "列", "列名", "字段"})
ROW_KEYS = frozenset({"rows", "data", "values", "records", "items", "list", "datas", "rowdata",
                      "tbody", "body", "数据", "行", "记录"})
# What names a column in a column object, in order of preference: the
# machine name first (dataIndex, field, key), then the label.
_NAME_FIELDS = ("dataIndex", "field", "key", "prop", "name", "id", "column", "colName",
                "title", "label", "text", "header")


def normal(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def is_header_key(key: str) -> bool:
    return normal(key) in HEADER_KEYS


def _column_name(item: Any) -> str | None:
    if isinstance(item, str):
        return item or None
    if isinstance(item, Mapping):
        for field in _NAME_FIELDS:
            value = item.get(field)
            if isinstance(value, str) and value:
                return value
    return None


def column_names(obj: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """For a table-shaped object: each row key and the names of its cells' columns
    (empty when the object is no table)."""
    names: tuple[str, ...] | None = None
    for key, value in obj.items():
        if is_header_key(key) and isinstance(value, list) and value:
            found = [_column_name(item) for item in value]
            if all(found):
                names = tuple(n for n in found if n)
                break
    if names is None:
        return {}
    return {key: names for key, value in obj.items()
            if normal(key) in ROW_KEYS and isinstance(value, list) and value
            and all(isinstance(row, list) for row in value)}


def cell_key(names: Sequence[str], index: int) -> str | int:
    """The path step of the cell at `index` in a row under columns `names`."""
    return names[index] if index < len(names) else index
