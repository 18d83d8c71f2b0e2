"""The two log rules: names that may be data, and free text to scrub."""

from __future__ import annotations

import pytest

from gateway.obs.redact import looks_like_data, scrub_text


@pytest.mark.parametrize(("name", "expect"), [
    ("borrowers", False), ("v1", False), ("page_size", False), ("123", False),
    ("110105194912310021", True), ("1234", True), ("a@b", True), ("张三", True),
    ("loan-2026", True),  # a year is four digits too: shown as * (safe side)
])
def test_names_that_may_be_data(name: str, expect: bool) -> None:
    assert looks_like_data(name) is expect


@pytest.mark.parametrize(("text", "expect"), [
    ("call 13800138000 now", "call [digits] now"),
    ("id 110105 1949 1231 0021", "id [digits]"),
    ("mail zhang.san@example.com", "mail [email]"),
    ("port 8080, 6 digits 123456", "port 8080, 6 digits 123456"),  # under seven: kept
    ("v1.2.3", "v1.2.3"),
])
def test_free_text_scrub(text: str, expect: str) -> None:
    assert scrub_text(text) == expect
