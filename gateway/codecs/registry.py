"""Which codec reads which media type (the registry), and the body pipeline
around it: content encoding, charset, codec."""

from __future__ import annotations

from gateway.codecs.base import Codec, CodecError, Document
from gateway.codecs.charset import resolve
from gateway.codecs.form_codec import FormCodec
from gateway.codecs.json_codec import JsonCodec, NdjsonCodec
from gateway.codecs.text_codec import TextCodec

CODECS: dict[str, Codec] = {}
for _codec in (JsonCodec(), NdjsonCodec(), FormCodec(), TextCodec()):
    for _media in _codec.media_types:
        CODECS[_media] = _codec


def codec_for(media_type: str) -> Codec:
    """The codec for a media type (`application/problem+json` goes to JSON)."""
    media = media_type.strip().lower()
    codec = CODECS.get(media)
    if codec is None and media.startswith("application/") and media.endswith("+json"):
        codec = CODECS["+json"]
    if codec is None:
        raise CodecError("unsupported_media_type",
                         "the body's content type cannot be inspected on this route")
    return codec


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """(media type, charset label) from a Content-Type header."""
    if not value:
        return "", None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip()
    return media.strip().lower(), charset


def decode_body(body: bytes, content_type: str | None) -> Document:
    media, label = parse_content_type(content_type)
    if not media:
        raise CodecError("unsupported_media_type",
                         "a body without a Content-Type cannot be inspected on this route")
    codec = codec_for(media)
    return codec.decode(body, resolve(label))
