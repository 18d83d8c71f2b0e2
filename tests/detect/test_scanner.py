"""The fast path gives presidio's answers: the differential test."""

from __future__ import annotations

import pytest

from gateway.detect import DetectionSettings, DetectionTimeout, Detector
from gateway.detect.recognizers.custom import CustomPattern, CustomSpec
from gateway.detect.results import Finding
from tests.detect.evalset import generate


def _key(findings: list[Finding]) -> list[tuple[str, int, int, float]]:
    return [(f.entity_type, f.start, f.end, f.score) for f in findings]


def test_fast_path_equals_analyzer_engine_on_the_whole_evaluation_set() -> None:
    detector = Detector()
    samples = generate()
    fast = detector.detect_many([(s.text, s.hints) for s in samples])
    differences = [
        (s.text, s.hints) for s, mine in zip(samples, fast, strict=True)
        if _key(mine) != _key(detector.reference(s.text, s.hints))
    ]
    assert differences == []
    assert sum(len(f) for f in fast) > 5000  # the comparison is not vacuous


def test_batching_does_not_change_results() -> None:
    detector = Detector()
    samples = generate(seed=7, per_type=20)
    batch = detector.detect_many([(s.text, s.hints) for s in samples])
    assert batch == [detector.detect(s.text, s.hints) for s in samples]


def test_thresholds_and_user_recognizers_take_the_same_path() -> None:
    detector = Detector(DetectionSettings(
        thresholds={"CN_MOBILE": 0.6, "CN_BANK_CARD": 0.2},
        custom=(CustomSpec("EMPLOYEE_NO", (CustomPattern("emp", r"EMP-?[0-9]{6}", 0.3),),
                           context=("工号",)),),
    ))
    texts = ["13800138000", "电话13800138000", "4111111111111111", "工号EMP-123456",
             "EMP123456", "x\nEMP-123456\n13800138000"]
    for text in texts:
        assert detector.detect(text) == detector.reference(text)
    assert detector.detect("13800138000") == []                       # 0.5 < 0.6
    assert [f.entity_type for f in detector.detect("4111111111111111")] == [
        "CN_BANK_CARD", "CREDIT_CARD"]                                  # 0.3 >= 0.2


def test_join_safe_patterns_fall_back_when_a_match_crosses_texts() -> None:
    detector = Detector()
    items = [("a 1380013", ()), ("8000 b", ()), ("13800138000", ())]
    assert detector.detect_many(items) == [detector.detect(t, h) for t, h in items]


def test_a_runaway_pattern_is_an_error_not_a_silent_miss() -> None:
    import gateway.detect.scanner as scanner
    detector = Detector(DetectionSettings(
        entities=frozenset(),
        custom=(CustomSpec("SLOW", (CustomPattern("slow", r"(a|aa)+$", 0.9),)),),
    ))
    limit = scanner.REGEX_TIMEOUT_SECONDS
    scanner.REGEX_TIMEOUT_SECONDS = 0.05
    try:
        with pytest.raises(DetectionTimeout):
            detector.detect("a" * 40 + "!")
    finally:
        scanner.REGEX_TIMEOUT_SECONDS = limit
