"""The two log rules: names that may be data, and free text to scrub."""

from __future__ import annotations

import random
import re

import pytest

from gateway.obs.redact import looks_like_data, scrub_text


@pytest.mark.parametrize(("name", "expect"), [
    ("borrowers", False), ("v1", False), ("page_size", False), ("123", False),
    ("110105194912310021", True), ("1234", True), ("a@b", True), ("张三", True),
    ("loan-2026", True),  # a year is four digits too: shown as * (safe side)
])
def test_names_that_may_be_data(name: str, expect: bool) -> None:
    assert looks_like_data(name) is expect


def test_names_checked_as_the_one_regex_says() -> None:
    """The str-method form answers as `\\d{4,}|@|[^\\x21-\\x7e]` does, on
    names mixing digits (ASCII, full-width, Arabic-Indic), separators,
    spaces, tabs, DEL, '@' and CJK."""
    rule = re.compile(r"\d{4,}|@|[^\x21-\x7e]")
    alphabet = "0123456789/-_.~!aZ@ \t\x7f\x00\u00e9\u5f20\uff11\u0661"
    rng = random.Random(7)
    for _ in range(20_000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        assert looks_like_data(name) is (rule.search(name) is not None), repr(name)


@pytest.mark.parametrize(("text", "expect"), [
    ("call 13800138000 now", "call [digits] now"),
    ("id 110105 1949 1231 0021", "id [digits]"),
    ("mail zhang.san@example.com", "mail [email]"),
    ("port 8080, 6 digits 123456", "port 8080, 6 digits 123456"),  # under seven: kept
    ("v1.2.3", "v1.2.3"),
])
def test_free_text_scrub(text: str, expect: str) -> None:
    assert scrub_text(text) == expect
