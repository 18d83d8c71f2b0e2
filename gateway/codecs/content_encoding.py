"""gzip, deflate and br bodies, decoded for inspection with caps.

The decoded size is capped (the route's body limit) and so is the ratio of
decoded to encoded size: a decompression bomb stops at the cap and becomes an
error, never an unscanned pass and never a memory blow-up. After inspection
the body is sent as identity, with Content-Encoding removed and the length
set anew.
"""

from __future__ import annotations

import zlib

import brotli

from gateway.codecs.base import CodecError

MAX_RATIO = 200
_STEP = 64 * 1024


class TooLargeDecoded(CodecError):
    def __init__(self) -> None:
        super().__init__("decoded_too_large",
                         "the decompressed body is larger than the route allows")


def _cap(encoded: int, limit: int) -> int:
    return min(limit, max(encoded, 1) * MAX_RATIO)


def _zlib(body: bytes, wbits: int, cap: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = bytearray()
    data = body
    try:
        while data:
            out += decoder.decompress(data, _STEP)
            if len(out) > cap:
                raise TooLargeDecoded()
            data = decoder.unconsumed_tail
        out += decoder.flush()
    except zlib.error:
        raise CodecError("invalid_encoding", "the compressed body is corrupt") from None
    if len(out) > cap:
        raise TooLargeDecoded()
    if not decoder.eof:
        raise CodecError("invalid_encoding", "the compressed body is truncated")
    return bytes(out)


def _brotli(body: bytes, cap: int) -> bytes:
    decoder = brotli.Decompressor()
    out = bytearray()
    try:
        out += decoder.process(body, output_buffer_limit=_STEP)
        while len(out) <= cap and not decoder.is_finished():
            chunk = decoder.process(b"", output_buffer_limit=_STEP)
            if not chunk:
                break
            out += chunk
    except brotli.error:
        raise CodecError("invalid_encoding", "the compressed body is corrupt") from None
    if len(out) > cap:
        raise TooLargeDecoded()
    if not decoder.is_finished():
        raise CodecError("invalid_encoding", "the compressed body is truncated")
    return bytes(out)


def decode_content(body: bytes, encoding: str | None, limit: int) -> bytes:
    """The body without its Content-Encoding. One encoding at most."""
    name = (encoding or "identity").strip().lower()
    if name in ("identity", ""):
        return body
    cap = _cap(len(body), limit)
    if name in ("gzip", "x-gzip"):
        return _zlib(body, 16 + zlib.MAX_WBITS, cap)
    if name == "deflate":
        # RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
        try:
            return _zlib(body, zlib.MAX_WBITS, cap)
        except TooLargeDecoded:
            raise
        except CodecError:
            return _zlib(body, -zlib.MAX_WBITS, cap)
    if name == "br":
        return _brotli(body, cap)
    raise CodecError("unsupported_encoding",
                     "the body's content encoding is not supported (gzip, deflate, br)")
