"""Field names as context, and the hint table for names and addresses."""

from __future__ import annotations

from gateway.detect.hints import ADDRESS_HINT, PERSON_HINT, HintTable, field_key


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
    table = HintTable({PERSON_HINT: ("khxm",), ADDRESS_HINT: ("jtzz",)})
    assert PERSON_HINT in table.context(("KHXM",))
    assert ADDRESS_HINT in table.context(("jtzz",))
    assert PERSON_HINT not in HintTable().context(("khxm",))
