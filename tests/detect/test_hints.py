"""Field names as context, and the hint table for names and addresses."""

from __future__ import annotations

from gateway.detect.hints import ADDRESS_HINT, PERSON_HINT, HintTable, field_key

# The hint table's entries before the data-class catalog took over: each must
# still carry its marker.
FORMER_TABLE = {
    PERSON_HINT: (
        "name", "realname", "fullname", "custname", "customername", "clientname",
        "borrowername", "applicantname", "holdername", "cardholder", "cardholdername",
        "accountname", "acctname", "payeename", "payername", "contactname", "contactperson",
        "emergencycontactname", "spousename", "guarantorname", "legalperson",
        "姓名", "名字", "真实姓名", "客户姓名", "借款人", "借款人姓名", "联系人", "联系人姓名",
        "紧急联系人", "持卡人", "户名", "开户名", "配偶姓名", "担保人", "收款人", "付款人",
    ),
    ADDRESS_HINT: (
        "address", "addr", "homeaddr", "homeaddress", "companyaddress", "companyaddr",
        "workaddress", "workaddr", "residenceaddress", "residentaddress", "registeredaddress",
        "mailingaddress", "detailaddress", "liveaddress", "livingaddress", "contactaddress",
        "permanentaddress", "householdaddress", "idaddress", "deliveryaddress",
        "地址", "住址", "家庭住址", "居住地址", "现住址", "单位地址", "公司地址", "户籍地址",
        "通讯地址", "联系地址", "详细地址", "身份证地址", "收货地址",
    ),
}


def test_the_former_table_is_covered() -> None:
    table = HintTable()
    for marker, names in FORMER_TABLE.items():
        for name in names:
            assert marker in table.context((name,)), name


def test_field_keys_ignore_case_and_separators() -> None:
    assert field_key("home_Addr") == field_key("homeAddr") == field_key("home-addr") == "homeaddr"
    assert field_key("姓名") == "姓名"


def test_context_carries_the_field_names_and_markers() -> None:
    table = HintTable()
    assert table.context(("applicant", "realName")) == ("applicant", "realname", PERSON_HINT)
    assert table.context(("homeAddr",)) == ("homeaddr", ADDRESS_HINT)
    assert table.context(("bankName",)) == ("bankname",)  # not a person's name
    assert table.context(("",)) == ()


def test_policy_adds_field_names() -> None:
    table = HintTable({PERSON_HINT: ("zdy_a",), ADDRESS_HINT: ("zdy_b",)})
    assert PERSON_HINT in table.context(("ZDY_A",))
    assert ADDRESS_HINT in table.context(("zdy_b",))
    assert PERSON_HINT not in HintTable().context(("zdy_a",))
