from __future__ import annotations

from gateway.codecs.text_codec import TextCodec


def test_whole_body_is_one_leaf() -> None:
    doc = TextCodec().decode("手机13800138000".encode(), "utf-8")
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [((), "手机13800138000")]
    assert doc.encode() == "手机13800138000".encode()
    doc.set(0, "手机138****8000")
    assert doc.encode() == "手机138****8000".encode()
