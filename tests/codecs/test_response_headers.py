"""Response headers that carry personal data out, as leaves: URLs, cookies,
file names; rewritten piece by piece, the rest byte for byte."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from gateway.codecs.base import CodecError
from gateway.codecs.response_headers import ResponseHeaderDocument


def doc(*pairs: tuple[str, str]) -> tuple[ResponseHeaderDocument, CIMultiDict[str]]:
    headers = CIMultiDict(pairs)
    return ResponseHeaderDocument(headers), headers


def texts(document: ResponseHeaderDocument) -> list[tuple[tuple[str | int, ...], str]]:
    return [(leaf.path, leaf.text) for leaf in document.leaves()]


@pytest.mark.parametrize(("name", "value", "leaves"), [
    ("Location", "/users?mobile=13912345678&page=2",
     [(("header", "location", "path"), "users"),
      (("header", "location", "query", "mobile"), "13912345678"),
      (("header", "location", "query", "page"), "2")]),
    ("Location", "https://a.example:8443/u/13912345678?13912345678#x",
     [(("header", "location", "path"), "u"), (("header", "location", "path"), "13912345678"),
      (("header", "location", "query"), "13912345678"),
      (("header", "location", "fragment"), "x")]),
    ("Refresh", "5; url=/borrowers/%E5%BC%A0%E4%B8%89",
     [(("header", "refresh", "path"), "borrowers"), (("header", "refresh", "path"), "张三")]),
    ("Link", '</list?idNo=11010519491231002X>; rel="next", </a>; rel="prev"',
     [(("header", "link", "path"), "list"),
      (("header", "link", "query", "idNo"), "11010519491231002X"),
      (("header", "link", "path"), "a")]),
    ("Set-Cookie", "phone=13912345678; Path=/; HttpOnly",
     [(("header", "set-cookie", "phone"), "13912345678")]),
    ("Content-Disposition",
     "attachment; filename=\"a\\\"b.xlsx\"; filename*=UTF-8''%E5%80%9F%E6%AC%BE%E4%BA%BA.xlsx",
     [(("header", "content-disposition", "filename"), 'a"b.xlsx'),
      (("header", "content-disposition", "filename"), "借款人.xlsx")]),
    ("Content-Disposition", "attachment; filename=report.xlsx",
     [(("header", "content-disposition", "filename"), "report.xlsx")]),
])
def test_leaves(name: str, value: str, leaves: list[tuple[tuple[str, ...], str]]) -> None:
    document, headers = doc((name, value))
    assert texts(document) == leaves
    document.encode()
    assert headers[name] == value  # nothing changed: byte for byte


def test_changed_pieces_are_re_encoded_and_the_rest_kept() -> None:
    document, headers = doc(
        ("Location", "https://a.example/u/13912345678?mobile=13912345678&page=2"),
        ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "phone=13912345678; Path=/; Secure"),
        ("Content-Disposition",
         "attachment; filename=\"借款人_张三_11010519491231002X.xlsx\"; "
         "filename*=UTF-8''%E5%80%9F%E6%AC%BE%E4%BA%BA_11010519491231002X.xlsx"))
    for i, leaf in enumerate(document.leaves()):
        if "13912345678" in leaf.text:
            document.set(i, leaf.text.replace("13912345678", "139****5678"))
        if "11010519491231002X" in leaf.text:
            document.set(i, leaf.text.replace("11010519491231002X", "1****************X"))
    document.encode()
    assert headers["Location"] == "https://a.example/u/139****5678?mobile=139%2A%2A%2A%2A5678&page=2"
    assert headers.getall("Set-Cookie") == ["a=1; Path=/",
                                            "phone=139%2A%2A%2A%2A5678; Path=/; Secure"]
    disposition = headers["Content-Disposition"]
    assert "11010519491231002X" not in disposition
    assert disposition.startswith('attachment; filename="借款人_张三_1****************X.xlsx"')
    assert disposition.endswith("filename*=UTF-8''%E5%80%9F%E6%AC%BE%E4%BA%BA_1"
                                + "%2A" * 16 + "X.xlsx")


def test_undecodable_values_refuse_the_response() -> None:
    with pytest.raises(CodecError) as caught:
        doc(("Location", "/users?name=%E5%BC"))
    assert caught.value.code == "invalid_charset"


def test_headers_without_pieces_to_inspect() -> None:
    document, _ = doc(("Refresh", "5"), ("Set-Cookie", "flag"), ("X-Other", "13912345678"))
    assert document.leaves() == []
