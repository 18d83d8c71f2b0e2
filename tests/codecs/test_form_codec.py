from __future__ import annotations

import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.form_codec import FormCodec, decode_query


def test_form_leaves_decode_percent_and_plus() -> None:
    body = b"name=%E5%BC%A0%E4%B8%89&mobile=138+0013+8000&tag=a&tag=b&empty="
    doc = FormCodec().decode(body, "utf-8")
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [
        (("name",), "张三"), (("mobile",), "138 0013 8000"), (("tag",), "a"), (("tag", 1), "b"),
        (("empty",), "")]
    assert doc.encode() == body
    doc.set(1, "138****8000")
    assert doc.encode() == (b"name=%E5%BC%A0%E4%B8%89&mobile=138%2A%2A%2A%2A8000&tag=a&tag=b"
                            b"&empty=")


def test_gbk_form() -> None:
    body = b"name=%D5%C5%C8%FD"
    assert FormCodec().decode(body, "gbk").leaves()[0].text == "张三"


@pytest.mark.parametrize("body", ["name=张三".encode(), b"name=%E5%BC"])
def test_malformed(body: bytes) -> None:
    with pytest.raises(CodecError):
        FormCodec().decode(body, "utf-8")


def test_query() -> None:
    doc = decode_query("idNo=11010519491231002X&page=1")
    assert [leaf.text for leaf in doc.leaves()] == ["11010519491231002X", "1"]
    doc.set(0, "1****************X")
    again = decode_query(doc.encode().decode("ascii"))
    assert [leaf.text for leaf in again.leaves()] == ["1****************X", "1"]


def test_item_names_are_key_leaves_and_items_without_equals_stay_so() -> None:
    from gateway.codecs.base import KEY
    doc = FormCodec().decode(b"13912345678&a=1&b=", "utf-8")
    assert [(leaf.path, leaf.text) for leaf in doc.key_leaves()] == [
        ((KEY,), "13912345678"), ((KEY,), "a"), ((KEY,), "b")]
    doc.set_key(0, "139****5678")
    assert doc.encode() == b"139%2A%2A%2A%2A5678&a=1&b="
