from __future__ import annotations

import pytest

from gateway.codecs.base import CodecError
from gateway.codecs.multipart_codec import MultipartCodec
from gateway.codecs.registry import decode_body

BODY = (b"preamble\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="name"\r\n\r\n'
        b"\xe5\xbc\xa0\xe4\xb8\x89\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="mobile"\r\n'
        b"Content-Type: text/plain; charset=gbk\r\n"
        b"\r\n13800138000\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="idPhoto"; filename="id.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x00\x01\r\n--XyZ--\r\n")


def test_text_fields_are_leaves_and_files_are_listed() -> None:
    doc = decode_body(BODY, 'multipart/form-data; boundary="XyZ"')
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [
        (("name",), "张三"), (("mobile",), "13800138000")]
    assert doc.files() == [("idPhoto", "image/png")]  # type: ignore[attr-defined]
    assert doc.encode() == BODY


def test_changed_fields_keep_everything_else() -> None:
    doc = MultipartCodec().decode(BODY, "utf-8", "XyZ")
    doc.set(1, "138****8000")
    out = doc.encode()
    assert out == BODY.replace(b"13800138000", b"138****8000")
    again = MultipartCodec().decode(out, "utf-8", "XyZ")
    assert again.leaves()[1].text == "138****8000" and again.files() == doc.files()


@pytest.mark.parametrize(("body", "boundary"), [
    (BODY, None), (b"no boundary here", "XyZ"), (BODY[:-20], "XyZ"),
    (b'--XyZ\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\nx\r\n--XyZ--', "XyZ"),
    (b'--XyZ\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--XyZ--', "XyZ"),
])
def test_malformed(body: bytes, boundary: str | None) -> None:
    with pytest.raises(CodecError):
        MultipartCodec().decode(body, "utf-8", boundary)


def test_part_names_and_file_names_are_key_leaves() -> None:
    from gateway.codecs.base import KEY
    from gateway.codecs.multipart_codec import FILENAME
    body = (b'--B\r\nContent-Disposition: form-data; name="13912345678"\r\n\r\nx\r\n'
            b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"; '
            b"filename*=UTF-8''%E5%BC%A0%E4%B8%89.xlsx\r\n"
            b"Content-Type: application/octet-stream\r\n\r\nDATA\r\n--B--\r\n")
    doc = MultipartCodec().decode(body, "utf-8", "B")
    assert [(leaf.path, leaf.text) for leaf in doc.key_leaves()] == [
        ((KEY,), "13912345678"), ((KEY,), "f"), ((FILENAME,), "张三.xlsx")]
    doc.set_key(0, "139****5678")
    doc.set_key(2, "张*.xlsx")
    out = doc.encode()
    assert b'name="139****5678"' in out
    assert b'filename="\xe5\xbc\xa0*.xlsx"' in out
    assert b"filename*=UTF-8''%E5%BC%A0%2A.xlsx" in out and b"DATA" in out


def test_an_undecodable_extended_file_name_is_refused() -> None:
    body = (b"--B\r\nContent-Disposition: form-data; name=f; filename*=UTF-8''%E5%BC\r\n"
            b"\r\nx\r\n--B--\r\n")
    with pytest.raises(CodecError):
        MultipartCodec().decode(body, "utf-8", "B")
