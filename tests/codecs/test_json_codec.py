from __future__ import annotations

import json

import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.json_codec import JsonCodec, NdjsonCodec, dumps, parse

codec = JsonCodec()


def test_leaves_with_paths_numbers_included() -> None:
    body = '{"a": {"idNo": "110105"}, "items": [{"card": "6222"}, 13800138000], "ok": true}'
    doc = codec.decode(body.encode(), "utf-8")
    assert [(leaf.path, leaf.text, leaf.number) for leaf in doc.leaves()] == [
        (("a", "idNo"), "110105", False),
        (("items", 0, "card"), "6222", False),
        (("items", 1), "13800138000", True),
    ]


def test_untouched_is_byte_exact_and_changed_keeps_order_and_number_forms() -> None:
    body = b'{"z": 1.50, "a": "x", "big": 12345678901234567890, "e": 1E5, "n": null}'
    doc = codec.decode(body, "utf-8")
    assert doc.encode() == body
    doc.set(1, "y")
    out = doc.encode().decode()
    assert out == '{"z":1.50,"a":"y","big":12345678901234567890,"e":1E5,"n":null}'
    assert list(json.loads(out)) == ["z", "a", "big", "e", "n"]


def test_a_number_that_was_personal_data_becomes_a_string() -> None:
    doc = codec.decode(b'{"mobile": 13800138000}', "utf-8")
    doc.set(0, "138****8000")
    assert json.loads(doc.encode()) == {"mobile": "138****8000"}


def test_top_level_string_and_cjk() -> None:
    doc = codec.decode('"张三"'.encode(), "utf-8")
    doc.set(0, "张*")
    assert doc.encode().decode() == '"张*"'


@pytest.mark.parametrize(("body", "code"), [
    (b'{"a": 1, "a": 2}', "duplicate_key"),
    (b'{"a": [1, {"b": 1, "b": 1}]}', "duplicate_key"),
    (b'{"a": ', "invalid_json"),
    (b'{"a": NaN}', "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
])
def test_malformed(body: bytes, code: str) -> None:
    with pytest.raises(CodecError) as info:
        codec.decode(body, "utf-8")
    assert info.value.code == code
    assert "1" not in info.value.message or "line" in info.value.message


def test_gbk_round_trip() -> None:
    body = '{"name": "张三"}'.encode("gbk")
    doc = codec.decode(body, "gbk")
    assert doc.leaves()[0].text == "张三"
    doc.set(0, "张*")
    assert doc.encode().decode("gbk") == '{"name":"张*"}'


def test_dumps_matches_json_semantics() -> None:
    value = parse('{"a": [1, 2.5, "x\\"y", {"b": false}], "c": "\\u5f20"}')
    assert json.loads(dumps(value)) == {"a": [1, 2.5, 'x"y', {"b": False}], "c": "张"}


def test_ndjson() -> None:
    body = b'{"m": "13800138000"}\n\n{"m": "x"}\n'
    doc = NdjsonCodec().decode(body, "utf-8")
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [((0, "m"), "13800138000"),
                                                                 ((2, "m"), "x")]
    assert doc.encode() == body
    doc.set(0, "masked")
    assert doc.encode() == b'{"m":"masked"}\n\n{"m": "x"}\n'


@pytest.mark.parametrize("text", [
    '{"a": 1, "b": -2, "c": 1.5, "d": 12345678901234567890, "e": [true, null, "x"]}',
    '{"a": 1.50}', '{"a": 1E5}', '{"a": -0}', '{"a": 1e+16, "b": 0.1}', '[1, 2.0, "\\u0000"]',
])
def test_fast_and_literal_writers_agree(text: str) -> None:
    from gateway.codecs.json_codec import _write
    value = parse(text)
    parts: list[str] = []
    _write(value, parts)
    assert dumps(value) == "".join(parts)
    assert json.loads(dumps(value)) == json.loads(text)


def test_object_keys_are_key_leaves_and_renamed_keys_stay_distinct() -> None:
    from gateway.codecs.base import KEY
    body = '{"r": {"13912345678": {"n": "x"}, "13912340678": 1, "a": 2}, "k": [{"13800138000": 3}]}'
    doc = JsonCodec().decode(body.encode(), "utf-8")
    assert [(leaf.path, leaf.text) for leaf in doc.key_leaves()] == [
        ((KEY,), "r"), (("r", KEY), "13912345678"), (("r", "13912345678", KEY), "n"),
        (("r", KEY), "13912340678"), (("r", KEY), "a"), ((KEY,), "k"),
        (("k", 0, KEY), "13800138000")]
    doc.set_key(1, "139****5678")
    doc.set_key(3, "139****5678")  # masking made two keys equal
    doc.set(1, "9")  # a value under a renamed key
    doc.set_key(6, "138****8000")
    assert json.loads(doc.encode()) == {
        "r": {"139****5678": {"n": "x"}, "139****5678~2": "9", "a": 2},
        "k": [{"138****8000": 3}]}


def test_ndjson_key_leaves_carry_the_line() -> None:
    from gateway.codecs.base import KEY
    from gateway.codecs.json_codec import NdjsonCodec
    doc = NdjsonCodec().decode(b'{"a": 1}\n{"13912345678": 2}', "utf-8")
    assert [(leaf.path, leaf.text) for leaf in doc.key_leaves()] == [
        ((0, KEY), "a"), ((1, KEY), "13912345678")]
    doc.set_key(1, "x")
    assert doc.encode() == b'{"a": 1}\n{"x":2}'


def test_table_cells_are_named_by_their_columns_and_written_back_in_place() -> None:
    body = {"page": 1, "columns": ["name", "mobile", {"title": "身份证", "dataIndex": "idNo"}],
            "rows": [["张三", 13800138000, "11010519491231002X", "extra"],
                     ["李四", "13912345678", None]]}
    doc = codec.decode(json.dumps(body, ensure_ascii=False).encode(), "utf-8")
    cells = [(leaf.path, leaf.text) for leaf in doc.leaves() if leaf.path[0] == "rows"]
    assert cells == [(("rows", 0, "name"), "张三"), (("rows", 0, "mobile"), "13800138000"),
                     (("rows", 0, "idNo"), "11010519491231002X"), (("rows", 0, 3), "extra"),
                     (("rows", 1, "name"), "李四"), (("rows", 1, "mobile"), "13912345678")]
    index = [leaf.path for leaf in doc.leaves()].index(("rows", 1, "mobile"))
    doc.set(index, "139****5678")
    out = json.loads(doc.encode())
    assert out["rows"][1] == ["李四", "139****5678", None]
    assert out["rows"][0] == body["rows"][0] and out["columns"] == body["columns"]
