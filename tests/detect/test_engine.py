"""The reference path is presidio's own AnalyzerEngine."""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine

from gateway.detect import Detector
from gateway.detect.engine import analyze, build_engine


def test_engine_is_presidio_with_our_recognizers() -> None:
    detector = Detector()
    engine = build_engine(detector.recognizers, 0.4)
    assert isinstance(engine, AnalyzerEngine)
    assert set(engine.get_supported_entities("zh")) == set(detector.entities)
    spans = analyze(engine, "身份证 11010519491231002X", ())
    assert [(e, s, t) for e, s, t, _, _ in spans] == [("CN_RESIDENT_ID", 4, 22)]
