"""The data-class catalog: field names as developers write them, hard
negatives for every class that a name could be mistaken for."""

from __future__ import annotations

import pytest

from gateway.detect.classes import Catalog, packaged, parse_class

CASES = [
    # (path, class or None)
    (("birthDate",), "birth_date"), (("date_of_birth",), "birth_date"), (("DOB",), "birth_date"),
    (("出生日期",), "birth_date"), (("csrq",), "birth_date"),
    (("applicant", "birthday"), "birth_date"),
    (("kyc", "idIssuer"), "id_issuer"), (("签发机关",), "id_issuer"), (("qfjg",), "id_issuer"),
    (("idValidUntil",), "id_validity"), (("cert_expire_date",), "id_validity"),
    (("证件有效期",), "id_validity"),
    (("idNo",), "id_number"), (("IDCardNo",), "id_number"), (("id_card_number",), "id_number"),
    (("sfzh",), "id_number"), (("身份证号",), "id_number"), (("passportNo",), "id_number"),
    (("name",), "person_name"), (("realName",), "person_name"), (("客户姓名",), "person_name"),
    (("emergencyContact", "name"), "person_name"), (("contacts", 0, "name"), "person_name"),
    (("khxm",), "person_name"), (("legal_representative",), "person_name"),
    (("gender",), "gender"), (("sex",), "gender"), (("性别",), "gender"),
    (("maritalStatus",), "marital_status"), (("婚姻状况",), "marital_status"),
    (("education",), "education"), (("学历",), "education"),
    (("occupation",), "occupation"), (("jobTitle",), "occupation"),
    (("employer",), "employer"), (("companyName",), "employer"), (("工作单位",), "employer"),
    (("mobile",), "phone"), (("contactPhone",), "phone"), (("companyPhone",), "phone"),
    (("sjhm",), "phone"), (("手机号",), "phone"),
    (("email",), "email"), (("e_mail",), "email"), (("邮箱",), "email"),
    (("address",), "address"), (("companyAddress",), "address"), (("homeAddr",), "address"),
    (("户籍地址",), "address"), (("jtzz",), "address"),
    (("gps",), "geolocation"), (("latitude",), "geolocation"), (("loc", "lng"), "geolocation"),
    (("registerIp",), "ip_address"), (("ipAddress",), "ip_address"),
    (("deviceId",), "device_id"), (("imei",), "device_id"), (("oaid",), "device_id"),
    (("macAddress",), "device_id"),
    (("bankCard",), "bank_account"), (("card_no",), "bank_account"),
    (("银行卡号",), "bank_account"),
    (("monthlyIncome",), "income"), (("salary",), "income"), (("月收入",), "income"),
    (("creditScore",), "credit"), (("芝麻分",), "credit"),
    (("accountBalance",), "assets"),
    (("password",), "credential"), (("loginPwd",), "credential"),
    (("client_secret",), "credential"),
    (("cvv2",), "card_security_code"), (("smsCode",), "one_time_code"),
    (("验证码",), "one_time_code"),
    (("faceImage",), "biometric"), (("指纹",), "biometric"),
    (("age",), "age"), (("年龄",), "age"),
    # hard negatives: a name that is not a person, ids that are not ID numbers, ...
    (("bankName",), None), (("productName",), None), (("bank", "name"), None),
    (("product", "name"), None), (("fileName",), None), (("userName",), None),
    (("borrowerId",), None), (("loanId",), None), (("orderNo",), None), (("contractNo",), None),
    (("pageSize",), None), (("page",), None), (("status",), None), (("riskTags",), None),
    (("zip",), None), (("relation",), None), (("faceVerified",), None), (("usage",), None),
    (("phoneModel",), None), (("emailVerified",), None),
    (("mobileCount",), None), (("isMarried",), None), (("has_address",), None),
    # head-last compounds, lower-case runs, pinyin compounds
    (("contactPhone",), "phone"), (("紧急联系人电话",), "phone"), (("身份证地址",), "address"),
    (("customername",), "person_name"), (("homeaddr",), "address"), (("jkrxm",), "person_name"),
    (("jjlxrdh",), "phone"), (("bankCardHolderName",), "person_name"),
    (("companyContactName",), "person_name"), (("emailAddress",), "email"),
    (("ipAddress",), "ip_address"), (("idCardNo",), "id_number"),
    (("customerId",), None), (("custNo",), None), (("departmentName",), None),
    (("username",), None), (("summary",), None),
    ((0,), None), ((), None),
]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_classify(path: tuple[str | int, ...], expected: str | None) -> None:
    found = packaged().classify(path)
    assert (found.name if found is not None else None) == expected


def test_levels_and_labels() -> None:
    by_name = packaged().by_name
    assert by_name["credential"].level == "C3"
    assert by_name["birth_date"].label == "C2 identity/birth_date"
    assert by_name["income"].selected_by("C2.financial")
    assert by_name["income"].selected_by("C2") and not by_name["income"].selected_by("C3")
    assert packaged().check_selectors(["C2", "C3.authentication", "income", "nope",
                                       "C9"]) == ["nope", "C9"]


def test_a_policy_extends_the_catalog() -> None:
    catalog = packaged().extended(
        {"vehicle_vin": {"level": "C2", "category": "identity", "generalize": "mask",
                         "words": [["vin"]], "zh": ["车架号"]}},
        {"khsr": "income", "zjjg": "id_issuer"})
    assert catalog.classify(("carVin",)).name == "vehicle_vin"  # type: ignore[union-attr]
    assert catalog.classify(("车架号",)).name == "vehicle_vin"  # type: ignore[union-attr]
    assert catalog.classify(("kh_sr",)).name == "income"  # type: ignore[union-attr]
    assert catalog.classify(("ZJJG",)).name == "id_issuer"  # type: ignore[union-attr]
    assert packaged().classify(("khsr",)) is None  # the packaged catalog is unchanged


@pytest.mark.parametrize(("spec", "message"), [
    ({"level": "C4", "category": "identity"}, "level"),
    ({"level": "C2", "category": "secrets"}, "category"),
    ({"level": "C2", "category": "identity", "generalize": "blur"}, "generalize"),
    ({"level": "C2", "category": "identity", "words": "vin"}, "words"),
    ({"level": "C2", "category": "identity", "colour": 1}, "unknown keys"),
])
def test_bad_class_specs_are_named(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_class("x", spec)


def test_unknown_class_for_a_field() -> None:
    with pytest.raises(ValueError, match="unknown data class 'wealth'"):
        packaged().extended({}, {"khzc": "wealth"})


def test_the_cache_is_per_catalog() -> None:
    a, b = packaged(), Catalog(())
    assert a.classify(("birthDate",)) is not None and b.classify(("birthDate",)) is None


@pytest.mark.parametrize(("path", "says"), [
    (("list", "bankName"), True), (("list", "custName"), True), (("list", "mobile"), True),
    (("list", "city"), True), (("list", "name"), False), (("list", "f2"), False),
    (("list", "value"), False), (("list", "col3"), False), ((), False),
])
def test_says_something(path: tuple[str, ...], says: bool) -> None:
    assert packaged().says_something(path) is says
