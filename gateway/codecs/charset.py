"""Charsets the gateway inspects: UTF-8, and GBK/GB18030, which Chinese
systems still send. Anything else on a protected route is refused."""

from __future__ import annotations

import codecs

from gateway.codecs.base import CodecError

# Label (as sent in Content-Type) -> Python codec. GB2312 bodies are decoded as
# GBK, its superset, as browsers do.
CHARSETS = {
    "utf-8": "utf-8", "utf8": "utf-8", "us-ascii": "utf-8", "ascii": "utf-8",
    "gbk": "gbk", "gb2312": "gbk", "cp936": "gbk", "gb18030": "gb18030",
}


def resolve(label: str | None, default: str = "utf-8") -> str:
    """The Python codec for a charset label; CodecError if not supported."""
    if label is None or not label.strip():
        return default
    name = CHARSETS.get(label.strip().strip('"').lower())
    if name is None:
        raise CodecError("unsupported_charset",
                         "the body's charset is not supported (UTF-8, GBK, GB18030)")
    return name


def decode_text(body: bytes, charset: str) -> str:
    if charset == "utf-8" and body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    try:
        return body.decode(charset)
    except UnicodeDecodeError:
        raise CodecError("invalid_charset", f"the body is not valid {charset}") from None
