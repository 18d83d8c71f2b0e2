from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.content_encoding import decode_content

BODY = b'{"mobile": "13800138000"}' * 100


def _raw_deflate(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-15)
    return obj.compress(data) + obj.flush()


@pytest.mark.parametrize(("encoding", "data"), [
    ("gzip", gzip.compress(BODY)), ("x-gzip", gzip.compress(BODY)),
    ("deflate", zlib.compress(BODY)), ("deflate", _raw_deflate(BODY)),
    ("br", brotli.compress(BODY)), ("identity", BODY), (None, BODY),
])
def test_decoding(encoding: str | None, data: bytes) -> None:
    assert decode_content(data, encoding, 10**6) == BODY


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_bombs_stop_at_the_cap(encoding: str) -> None:
    huge = b"\0" * 50_000_000
    data = {"gzip": gzip.compress, "br": brotli.compress, "deflate": zlib.compress}[encoding](huge)
    with pytest.raises(CodecError) as info:
        decode_content(data, encoding, 10 * 1024 * 1024)
    assert info.value.code == "decoded_too_large"


def test_ratio_cap_applies_below_the_size_cap() -> None:
    data = gzip.compress(b"a" * 2_000_000)  # ~2 KB -> 2 MB: ratio ~1000
    with pytest.raises(CodecError):
        decode_content(data, "gzip", 10 * 1024 * 1024)


@pytest.mark.parametrize(("encoding", "data", "code"), [
    ("gzip", b"not gzip", "invalid_encoding"),
    ("gzip", gzip.compress(BODY)[:-10], "invalid_encoding"),
    ("br", b"\xff\xff\xff", "invalid_encoding"),
    ("compress", b"x", "unsupported_encoding"),
    ("gzip, br", b"x", "unsupported_encoding"),
])
def test_bad_input(encoding: str, data: bytes, code: str) -> None:
    with pytest.raises(CodecError) as info:
        decode_content(data, encoding, 10**6)
    assert info.value.code == code
