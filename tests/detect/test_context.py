"""Context words around a match, as presidio's enhancer collects them."""

from __future__ import annotations

import pytest
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from gateway.detect.context import TextContext, boost, supported
from gateway.detect.nlp import LANGUAGE, OfflineNlpEngine


@pytest.mark.parametrize(("text", "start"), [
    ("联系电话：13800138000", 5),
    ("my phone is 138 0013 8000 ok", 12),
    ("a b c d e f g h 13800138000", 16),
    ("身份证号11010519491231002X", 4),
    ("13800138000", 0),
    ("的 的 的 phone 的 的 13800138000", 17),
])
def test_words_before_match_presidio(text: str, start: int) -> None:
    artifacts = OfflineNlpEngine().process_text(text, LANGUAGE)
    enhancer = LemmaContextAwareEnhancer()
    expected = set(enhancer._extract_surrounding_words(artifacts, text[start:], start))
    assert TextContext(text).words_before(start) == expected


def test_supported_is_substring_matching() -> None:
    assert supported({"身份证号码"}, ("身份证",))
    assert supported(("bankcardno",), ("card",))
    assert not supported({"phone"}, ("身份证",))


def test_boost_follows_presidio_defaults() -> None:
    assert boost(0.5) == pytest.approx(0.85)
    assert boost(0.05) == pytest.approx(0.4)
    assert boost(0.9) == 1.0
