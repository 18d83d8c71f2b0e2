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
    detector = Detector(DetectionSettings(hints={"person_name": ("zdy_f7",)}))
    assert [f.entity_type for f in detector.detect("张三", ("zdy_f7",))] == ["PERSON_NAME"]
    assert default_detector().detect("张三", ("zdy_f7",)) == []


def test_field_meaning_gives_names_and_addresses_their_hints() -> None:
    detector = default_detector()
    for hints in [("khxm",), ("debtorFullName",), ("GUARANTOR_NAME",), ("spouse-name",),
                  ("emergencyContact", "name"), ("contacts", "name"), ("客户名称",),
                  ("legalRepName",), ("borrower",)]:
        assert [f.entity_type for f in detector.detect("张三", hints)] == ["PERSON_NAME"], hints
    for hints in [("bankName",), ("productName",), ("bank", "name"), ("customerId",),
                  ("contactRelation",), ("companyName",), ("fileName",)]:
        assert detector.detect("张三", hints) == [], hints
    address = "湖北省武汉市武昌区人民路1号"
    for hints in [("jzdz",), ("residentialAddr",), ("户籍所在地",), ("home", "addr")]:
        assert [f.entity_type for f in detector.detect(address, hints)] == ["ADDRESS"], hints


def test_empty_and_plain_text() -> None:
    assert detect("") == []
    assert detect("hello world, order 12345") == []
