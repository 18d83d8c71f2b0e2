"""The offline NLP engine: tokens and lemmas, no model."""

from __future__ import annotations

from gateway.detect.nlp import LANGUAGE, OfflineNlpEngine


def test_artifacts() -> None:
    engine = OfflineNlpEngine()
    artifacts = engine.process_text("Phone 手机: 13800138000", LANGUAGE)
    assert list(artifacts.tokens) == ["Phone", "手机", ":", "13800138000"]
    assert artifacts.tokens_indices == [0, 6, 8, 10]
    assert artifacts.lemmas == ["phone", "手机", ":", "13800138000"]
    assert artifacts.keywords == ["phone", "手机", "13800138000"]
    assert artifacts.entities == []
    batch = list(engine.process_batch(["a", "b"], LANGUAGE))
    assert [text for text, _ in batch] == ["a", "b"]
    assert engine.get_supported_languages() == [LANGUAGE] and engine.is_loaded()
