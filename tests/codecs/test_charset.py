from __future__ import annotations

import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.charset import decode_text, resolve


def test_labels() -> None:
    assert resolve(None) == "utf-8"
    assert resolve("UTF-8") == resolve('"utf8"') == "utf-8"
    assert resolve("GB2312") == resolve("gbk") == "gbk"
    assert resolve("GB18030") == "gb18030"
    for label in ("latin-1", "shift_jis", "utf-16", "big5"):
        with pytest.raises(CodecError) as info:
            resolve(label)
        assert info.value.code == "unsupported_charset"


def test_decoding() -> None:
    assert decode_text("\ufeff张".encode(), "utf-8") == "张"
    assert decode_text("张".encode("gb18030"), "gb18030") == "张"
    with pytest.raises(CodecError) as info:
        decode_text(b"\xff\xfe", "utf-8")
    assert info.value.code == "invalid_charset"
