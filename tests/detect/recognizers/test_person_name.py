from __future__ import annotations

import pytest

from gateway.detect.recognizers.person_name import plausible_name
from tests.detect.recognizers.helpers import spans


@pytest.mark.parametrize(("value", "hint"), [
    ("张三", "name"), ("欧阳娜娜", "realName"), ("买买提·艾力", "custName"), ("Zhang San", "姓名"),
    ("王小明", "联系人"),
])
def test_hinted_fields(value: str, hint: str) -> None:
    assert spans("PERSON_NAME", value, hints=(hint,)) == [value]


@pytest.mark.parametrize(("value", "hint"), [
    ("张三", "status"), ("张三", "bankName"), ("高中", "education"), ("active", "name"),
    ("未知", "name"), ("中国工商银行", "name"),
])
def test_not_names(value: str, hint: str) -> None:
    assert spans("PERSON_NAME", value, hints=(hint,)) == []


@pytest.mark.parametrize(("text", "names"), [
    ("借款人张三已逾期，紧急联系人李四（13800138000）。", ["张三", "李四"]),
    ("户名：王小明。", ["王小明"]),
    ("法定代表人刘德华先生。", ["刘德华"]),
    ("今天张三来电说下周还款", []),  # no cue: not found (see the README)
])
def test_free_text(text: str, names: list[str]) -> None:
    assert spans("PERSON_NAME", text) == names


def test_plausible_name() -> None:
    assert plausible_name("司马光") and plausible_name("Li Lei")
    assert not plausible_name("li lei") and not plausible_name("张三丰四五")
