from __future__ import annotations

import pytest

from gateway.codecs.base import CodecError, hints_for, render_path
from gateway.codecs.form_codec import FormCodec
from gateway.codecs.json_codec import JsonCodec
from gateway.codecs.registry import codec_for, content_type_params, decode_body


def test_media_types() -> None:
    assert isinstance(codec_for("application/json"), JsonCodec)
    assert isinstance(codec_for("application/problem+json"), JsonCodec)
    assert isinstance(codec_for("application/x-www-form-urlencoded"), FormCodec)
    for media in ("application/octet-stream", "image/png", "multipart/form-data", ""):
        with pytest.raises(CodecError):
            codec_for(media)


def test_content_type_parsing() -> None:
    assert content_type_params('multipart/form-data; boundary="x y"; charset=GBK') == (
        "multipart/form-data", {"boundary": "x y", "charset": "GBK"})
    assert content_type_params(None) == ("", {})


def test_decode_body_needs_a_content_type() -> None:
    with pytest.raises(CodecError):
        decode_body(b"{}", None)
    doc = decode_body('{"a": "张"}'.encode("gbk"), "application/json;charset=gbk")
    assert doc.leaves()[0].text == "张"


def test_paths_for_hints_and_messages() -> None:
    assert hints_for(("data", "items", 3, "card")) == ("items", "card")
    assert render_path(("applicant", "cards", 2, "no")) == "applicant.cards[2].no"
    assert render_path(("byMobile", "13800138000", "name")) == "byMobile.*.name"
    assert render_path(("byName", "张三", "cvv")) == "byName.*.cvv"
    assert render_path(("a@b.cn",)) == "*"
    assert render_path(()) == "$"
