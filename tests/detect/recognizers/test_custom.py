from __future__ import annotations

from pathlib import Path

from gateway.detect import DetectionSettings, Detector
from gateway.detect.recognizers.custom import (
    VALIDATORS,
    CustomPattern,
    CustomSpec,
    load_presidio_yaml,
)


def test_policy_recognizer_with_a_validator() -> None:
    spec = CustomSpec("LOAN_CARD", (CustomPattern("loan card", r"LC[0-9]{16}", 0.6),),
                      context=("贷款卡",), validator="luhn")
    detector = Detector(DetectionSettings(custom=(spec,)))
    # LC + a Luhn-valid number counts; a Luhn-invalid one does not. The card
    # number inside is found too (letters may touch a number); the engine keeps
    # the wider finding.
    found = detector.detect("LC4111111111111111")
    assert [f.entity_type for f in found] == ["LOAN_CARD", "CREDIT_CARD"]
    assert (found[0].start, found[0].end) == (0, 18) and found[1].start == 2
    assert detector.detect("LC4111111111111112") == []
    text = "贷款卡 LC4111111111111111"
    assert detector.detect(text) == detector.reference(text)
    assert detector.detect(text)[0].score == 0.95


def test_validators_registry() -> None:
    assert set(VALIDATORS) == {"none", "luhn", "cn_ric", "cn_uscc"}
    assert VALIDATORS["cn_ric"]("11010519491231002X")
    assert not VALIDATORS["luhn"]("12ab")


def test_presidio_yaml(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text("""
recognizers:
  - name: Employee number
    supported_language: en
    supported_entity: EMPLOYEE_NO
    patterns:
      - name: employee number
        regex: "EMP-[0-9]{6}"
        score: 0.5
    context: [工号]
  - name: Project names
    supported_entity: PROJECT
    deny_list: [天河计划, 北斗]
""", encoding="utf-8")
    recognizers = load_presidio_yaml(path)
    assert [r.supported_entities[0] for r in recognizers] == ["EMPLOYEE_NO", "PROJECT"]
    detector = Detector(DetectionSettings(presidio_yaml=(path,)))
    text = "工号 EMP-001234，参与 天河计划"
    found = detector.detect(text)
    assert [(f.entity_type, text[f.start:f.end]) for f in found] == [
        ("EMPLOYEE_NO", "EMP-001234"), ("PROJECT", "天河计划")]
    assert found == detector.reference(text)
