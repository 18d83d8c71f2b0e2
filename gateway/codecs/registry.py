"""Which codec reads which media type (the registry), and the body pipeline
around it: content encoding, charset, codec."""

from __future__ import annotations

from gateway.codecs.base import Codec, CodecError, Document
from gateway.codecs.charset import resolve
from gateway.codecs.csv_codec import CsvCodec
from gateway.codecs.form_codec import FormCodec
from gateway.codecs.json_codec import JsonCodec, NdjsonCodec
from gateway.codecs.multipart_codec import MultipartCodec
from gateway.codecs.text_codec import TextCodec
from gateway.codecs.xlsx_codec import XlsxCodec

CODECS: dict[str, Codec] = {}
for _codec in (JsonCodec(), NdjsonCodec(), FormCodec(), TextCodec(), CsvCodec(), XlsxCodec()):
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


def content_type_params(value: str | None) -> tuple[str, dict[str, str]]:
    """(media type, parameters) from a Content-Type header."""
    if not value:
        return "", {}
    media, *params = value.split(";")
    out = {}
    for param in params:
        name, _, raw = param.partition("=")
        out[name.strip().lower()] = raw.strip().strip('"')
    return media.strip().lower(), out



def decode_body(body: bytes, content_type: str | None) -> Document:
    media, params = content_type_params(content_type)
    if not media:
        raise CodecError("unsupported_media_type",
                         "a body without a Content-Type cannot be inspected on this route")
    if media == "multipart/form-data":
        return MultipartCodec().decode(body, "utf-8", params.get("boundary"))
    codec = codec_for(media)
    return codec.decode(body, resolve(params.get("charset")))
