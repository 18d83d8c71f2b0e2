"""The tokenizer behind context words."""

from __future__ import annotations

from gateway.detect.tokens import is_keyword, is_punct, tokenize


def test_tokens_split_letters_digits_and_symbols() -> None:
    tokens, starts = tokenize("身份证号110105, card:6222 x")
    assert tokens == ["身份证号", "110105", ",", "card", ":", "6222", "x"]
    assert starts == [0, 4, 10, 12, 16, 17, 22]


def test_keywords_exclude_stopwords_and_punctuation() -> None:
    assert is_punct("：") and is_punct(",")
    assert not is_punct("ab")
    assert not is_keyword("的") and not is_keyword("the") and not is_keyword(",")
    assert is_keyword("手机") and is_keyword("card")
