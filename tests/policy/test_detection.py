"""The policy's detection section builds the detector request code uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.policy.compiled import compile_policy
from gateway.policy.loader import PolicyError, load_policy_file

BASE = """\
version: 1
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: all}]
"""


def _compile(tmp_path: Path, detection: str) -> object:
    path = tmp_path / "p.yaml"
    path.write_text(BASE + detection, encoding="utf-8")
    return compile_policy(load_policy_file(path))


def test_defaults_detect_everything(tmp_path: Path) -> None:
    policy = _compile(tmp_path, "")
    found = policy.detector.detect("13800138000")  # type: ignore[attr-defined]
    assert [f.entity_type for f in found] == ["CN_MOBILE"]


def test_prose_names_switch(tmp_path: Path) -> None:
    on = _compile(tmp_path, "")
    off = _compile(tmp_path, "detection: {prose_names: false}\n")
    text = "与郭琳通话5分钟"
    assert [f.entity_type for f in on.detector.detect(text)] == ["PERSON_NAME"]  # type: ignore[attr-defined]
    assert off.detector.detect(text) == []  # type: ignore[attr-defined]


def test_thresholds_hints_recognizers_and_presidio_yaml(tmp_path: Path) -> None:
    (tmp_path / "recognizers").mkdir()
    (tmp_path / "recognizers" / "extra.yaml").write_text(
        "recognizers:\n  - name: Branch code\n    supported_entity: BRANCH\n"
        "    patterns: [{name: branch, regex: 'BR[0-9]{4}', score: 0.7}]\n", encoding="utf-8")
    policy = _compile(tmp_path, """\
detection:
  thresholds: {CN_MOBILE: 0.8, BRANCH: 0.5}
  hints: {person_name: [khxm]}
  recognizers:
    - entity: EMPLOYEE_NO
      patterns: [{name: emp, regex: "EMP[0-9]{6}", score: 0.6}]
      context: [工号]
  presidio_yaml: [recognizers/extra.yaml]
""")
    detector = policy.detector  # type: ignore[attr-defined]
    assert detector.detect("13800138000") == []                         # 0.5 is under 0.8
    assert [f.entity_type for f in detector.detect("手机13800138000")] == ["CN_MOBILE"]
    assert [f.entity_type for f in detector.detect("王五", ("khxm",))] == ["PERSON_NAME"]
    assert [f.entity_type for f in detector.detect("EMP123456 BR0042")] == ["EMPLOYEE_NO", "BRANCH"]


def test_missing_presidio_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        _compile(tmp_path, "detection:\n  presidio_yaml: [nope.yaml]\n")
    assert "detection: presidio_yaml: no such file" in str(info.value)


def test_broken_presidio_file_is_a_policy_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("recognizers:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        _compile(tmp_path, "detection:\n  presidio_yaml: [bad.yaml]\n")
    assert "cannot load recognizers" in str(info.value)
