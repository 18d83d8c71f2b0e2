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
    ("今天张三来电说下周还款", ["张三"]),  # no cue, a clause start before a verb
    ("王小明表示月底前还清，李四承诺月底还款", ["王小明", "李四"]),
    ("与张三通话5分钟", ["张三"]),  # no cue: the prose pass (prose_names.py)
    # right before a mobile number, as contact lists and labels write them
    ("收货信息：郭琳 13125461017", ["郭琳"]), ("李四（13912345678）", ["李四"]),
    ("通讯录 王伟 13800138000；张总 13900139000", ["王伟", "张总"]),
    ("单号 13800138000", []), ("金额 13800138000", []), ("本人 13800138000", []),
    ("王伟 1380013800099", []),  # no mobile: thirteen digits
    ("我叫郭琳 13125461017", []),  # 叫 is no cue; four Chinese characters are no prose
    ("公司表示会处理，所以说不算逾期", []), ("今天客户来电说下周还款", []),
])
def test_free_text(text: str, names: list[str]) -> None:
    assert spans("PERSON_NAME", text) == names


def test_plausible_name() -> None:
    assert plausible_name("司马光") and plausible_name("Li Lei")
    assert not plausible_name("li lei") and not plausible_name("张三丰四五")


@pytest.mark.parametrize(("text", "names"), [
    ("已联系其同事李总，表示下周还款", ["李总"]),
    ("王姐说下周还", ["王姐"]),
    ("喂，张叔您好", ["张叔"]),
    ("给吴老师打电话", ["吴老师"]),
    ("欧阳阿姨来电", ["欧阳阿姨"]),
    ("朋友赵经理代还，李总经理不知情", ["赵经理", "李总经理"]),
    ("通讯录：郑嫂 13860962434；庄处长 19510540600", ["郑嫂", "庄处长"]),
    ("借款人王先生", ["王先生"]),
    ("李总的电话打不通", ["李总"]),
    ("王姐姐妹俩", ["王姐"]),           # 姐姐 goes on as 姐妹: the shorter title
    ("和小冯核实后", ["小冯"]),         # title first: the prose pass (prose_names.py)
])
def test_display_names(text: str, names: list[str]) -> None:
    assert spans("PERSON_NAME", text) == names


@pytest.mark.parametrize("text", [
    "本金总计5000元，利息总额300元", "三万总额已逾期", "1万总的来说不多", "给钱总是不够用",
    "对方姐姐说会还", "我的师姐帮忙还款", "是帅哥接的电话", "他们是姐妹", "的班主任说",
    "的阿姨接听", "其姐姐接听", "联系其表姐未果", "贷款总行审批", "催收总部通知", "的总经理说",
    "已联系对方老板", "和对方大哥沟通", "是数学老师", "王哥们都说", "与高校长期合作",
    "分期总共12期", "合同总金额50万", "逾期总天数30天",
    # after a cue, a common word that starts with a surname's character
    "客户迟到", "客户明天还款", "借款人马上到", "客户关于还款的意见", "客户安排在下周",
])
def test_not_display_names(text: str) -> None:
    assert spans("PERSON_NAME", text) == []
