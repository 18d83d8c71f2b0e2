"""Folding keeps a map back to the original characters."""

from __future__ import annotations

import pytest

from gateway.detect.normalize import base64_text, needs_folding, normalize


def test_plain_text_is_returned_as_is() -> None:
    for text in ("13800138000", "借款人张三的手机13800138000", ""):
        result = normalize(text)
        assert result.text == text
        assert result.starts is None
        assert result.original_span(2, 5) == (2, 5)


@pytest.mark.parametrize(("text", "folded"), [
    ("１３８００１３８０００", "13800138000"),                    # full-width digits
    ("138\u200b0013\u200c8000", "13800138000"),                 # zero-width space, ZWNJ
    ("\ufeff110105", "110105"),                                  # byte-order mark
    ("手机：１３８　００１３", "手机:138 0013"),  # full-width colon, ideographic space
    ("一三八零零一三八零零零", "13800138000"),                      # Chinese numerals, 7 or more
    ("幺三八零零幺三八零零零", "13800138000"),
    ("第一二三次", "第一二三次"),                                    # short runs stay words
    ("①②", "12"),
])
def test_folding(text: str, folded: str) -> None:
    assert normalize(text).text == folded


def test_spans_map_back_to_exactly_the_original_characters() -> None:
    text = "卡号：６２２２\u200b０２１２"
    result = normalize(text)
    assert result.text == "卡号:62220212"
    start = result.text.index("6")
    begin, end = result.original_span(start, len(result.text))
    assert text[begin:end] == "６２２２\u200b０２１２"
    assert result.original_span(0, 2) == (0, 2)


def test_a_character_that_expands_maps_whole() -> None:
    text = "x㈠y"  # ㈠ folds to three characters: (一)
    result = normalize(text)
    assert result.text == "x(一)y"
    assert result.original_span(1, 4) == (1, 2)
    assert result.original_span(2, 3) == (1, 2)


def test_needs_folding_finds_exactly_the_changed_texts() -> None:
    texts = ["plain", "中文没有变化", "１２３", "a\u200bb", "一三八零零一三八零零零", "ok"]
    assert needs_folding(texts) == {2, 3, 4}
    assert needs_folding(["plain", "中文"]) == set()
    assert all((i in needs_folding(texts)) == (normalize(t).text != t) for i, t in enumerate(texts))


@pytest.mark.parametrize(("text", "folded"), [
    ("&#49;&#51;&#57;", "139"),                                   # decimal references
    ("&#x31;&#X33;&#x39", "139"),                                 # hex, last without ;
    ("a&amp;b&nbsp;c", "a&b c"),                                  # named references
    ("%31%33%39", "139"),                                         # percent-encoded
    ("%2531%2533%2539", "139"),                                   # ... twice
    ("%E5%BC%A0%E4%B8%89", "张三"),                                # UTF-8 escapes
    ("١٣٩١٢٣٤٥٦٧٨", "13912345678"),                               # Arabic-Indic digits
    ("१३९१२३४५६७८", "13912345678"),                               # Devanagari digits
    ("壹叁玖壹贰叁肆伍陆柒捌", "13912345678"),                        # financial numerals
    ("139.1234.5678", "139 1234 5678"),                           # dotted groups
    ("6222.0212.3456.7890", "6222 0212 3456 7890"),
    # left alone: IPv4, versions, dates, amounts, broken escapes, invalid references
    ("192.168.100.200", "192.168.100.200"), ("16.27.72.19871", "16.27.72.19871"),
    ("2026.12.02", "2026.12.02"), ("12345678.90", "12345678.90"), ("%zz%E5", "%zz%E5"),
    ("&#1114112;", "&#1114112;"), ("50%OFF", "50%OFF"),
])
def test_decoding(text: str, folded: str) -> None:
    assert normalize(text).text == folded


def test_decoded_characters_map_to_their_whole_reference() -> None:
    text = "tel:%2531%2533&#57;x"
    result = normalize(text)
    assert result.text == "tel:139x"
    assert result.original_span(4, 7) == (4, 19)
    assert text[slice(*result.original_span(4, 5))] == "%2531"
    assert text[slice(*result.original_span(6, 7))] == "&#57;"
    assert result.original_span(7, 8) == (19, 20)


@pytest.mark.parametrize(("text", "decoded"), [
    ("MTM4MDAxMzgwMDA=", "13800138000"),                          # standard, padded
    ("MTM4MDAxMzgwMDA", "13800138000"),                           # padding left off
    ("5byg5Lyf", "张伟"),                                          # UTF-8, eight characters
    ("5omL5py6MTM4MDAxMzgwMDA=", "手机13800138000"),
    ("PDw_Pz4-", "<<??>>"),                                       # URL-safe alphabet
    ("PDw/Pz4+", "<<??>>"),                                       # standard alphabet
    ("PDw_Pz4+", None),                                           # both alphabets mixed
    ("5byg5Ly", None),                                            # seven characters
    ("12345678", None),                                           # digits only: a number
    ("MTM4MDAxMzgwMDA==", None),                                  # padding that does not fit
    ("MTM4MDAxMzgwMDA=x", None),                                  # padding inside
    ("AAECAwQFBgc=", None),                                       # control characters
    ("//79/Pv6+fg=", None),                                       # not UTF-8
    ("Password", None), ("d41d8cd98f00b204e9800998ecf8427e", None),
    ("550e8400-e29b-41d4-a716-446655440000", None),
])
def test_base64_text(text: str, decoded: str | None) -> None:
    assert base64_text(text) == decoded


def test_a_base64_value_is_read_decoded_and_maps_to_the_whole_value() -> None:
    text = "77yR77yT77yY77yQ77yQMTM4MDAw"   # full-width digits inside, folded after decoding
    result = normalize(text)
    assert result.text == "13800138000"
    assert result.original_span(0, 11) == (0, len(text))
    assert result.original_span(3, 4) == (0, len(text))
    assert needs_folding(["plain", text, "MTM4MDAxMzgwMDA="]) == {1, 2}


@pytest.mark.parametrize(("text", "folded"), [
    ("备注 MTM4MDAxMzgwMDA= 请核实", "备注  13800138000  请核实"),     # between spaces
    ("mobile=MTM4MDAxMzgwMDA&x=1", "mobile= 13800138000 &x=1"),      # `=` may come before
    ("客户MTM4MDAxMzgwMDA，已核实", "客户 13800138000 ,已核实"),  # then folded
    ("a MTM4MDAxMzgwMDA=== b", "a MTM4MDAxMzgwMDA=== b"),           # three `=`: no token
    ("a MTM4MDAx b", "a MTM4MDAx b"),                               # under twelve characters
    ("trace d41d8cd98f00b204e9800998ecf8427e done",                  # a digest: no UTF-8 text
     "trace d41d8cd98f00b204e9800998ecf8427e done"),
    ("x MTM4+MDAx_MzgwMDA y", "x MTM4+MDAx_MzgwMDA y"),             # two alphabets: no token
])
def test_base64_tokens_inside_text(text: str, folded: str) -> None:
    assert normalize(text).text == folded
    assert (0 in needs_folding([text])) == (folded != text)


def test_a_base64_token_maps_to_the_whole_token() -> None:
    text = "备注 MTM4MDAxMzgwMDA= 请核实"
    result = normalize(text)
    start = result.text.index("138")
    assert result.original_span(start, start + 11) == (3, 19)
    assert result.original_span(0, 2) == (0, 2)  # text around it maps to itself
    tail = result.text.index("请")
    assert result.original_span(tail, tail + 3) == (20, 23)
