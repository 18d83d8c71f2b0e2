"""The public API: detect(text, hints) with findings at original offsets."""

from __future__ import annotations

from gateway.detect import DetectionSettings, Detector, Finding, default_detector, detect


def test_detect_reports_original_offsets() -> None:
    text = "手机：１３８\u200b００１３ ８０００，身份证 11010519491231002x"
    found = detect(text)
    assert [(f.entity_type, text[f.start:f.end]) for f in found] == [
        ("CN_MOBILE", "１３８\u200b００１３ ８０００"),
        ("CN_RESIDENT_ID", "11010519491231002x"),
    ]
    assert all(isinstance(f, Finding) and 0 < f.score <= 1 for f in found)


def test_masking_the_findings_replaces_exactly_them() -> None:
    text = "联系人：李四，电话　１３９-１２３４-５６７８。"
    out = text
    for f in sorted(detect(text), key=lambda f: -f.start):
        out = out[:f.start] + "*" * (f.end - f.start) + out[f.end:]
    assert out == "联系人：**，电话　*************。"


def test_entities_setting_limits_the_types() -> None:
    detector = Detector(DetectionSettings(entities=frozenset({"CN_MOBILE"})))
    assert detector.entities == ("CN_MOBILE",)
    assert [f.entity_type for f in detector.detect("13800138000 a@b.cn")] == ["CN_MOBILE"]


def test_default_detector_knows_every_builtin_type() -> None:
    assert set(default_detector().entities) == {
        "CN_RESIDENT_ID", "CN_MOBILE", "CN_LANDLINE", "CN_BANK_CARD", "CREDIT_CARD", "CN_USCC",
        "CN_PASSPORT", "CN_HK_MACAU_PERMIT", "CN_HOME_RETURN_PERMIT", "CN_TAIWAN_PERMIT",
        "CN_LICENSE_PLATE", "EMAIL_ADDRESS", "IP_ADDRESS", "PERSON_NAME", "ADDRESS"}


def test_policy_hints_extend_the_table() -> None:
    detector = Detector(DetectionSettings(hints={"person_name": ("khxm",)}))
    assert [f.entity_type for f in detector.detect("张三", ("khxm",))] == ["PERSON_NAME"]
    assert default_detector().detect("张三", ("khxm",)) == []


def test_empty_and_plain_text() -> None:
    assert detect("") == []
    assert detect("hello world, order 12345") == []
