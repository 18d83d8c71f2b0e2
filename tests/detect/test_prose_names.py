"""Names in prose without a cue (gateway/detect/prose_names.py): each rule
with the names it must find and the words it must leave."""

from __future__ import annotations

import pytest

from gateway.detect import DetectionSettings, Detector
from gateway.detect.prose_names import MIN_HAN, find_names, qualifies


def _names(text: str) -> list[str]:
    return [text[start:end] for start, end in find_names(text)]


@pytest.mark.parametrize(("text", "names"), [
    # anywhere in a sentence: after verbs and prepositions, before particles, in lists
    ("与郭琳通话5分钟，态度良好。", ["郭琳"]),
    ("委托庄晓燕代为还款3000元。", ["庄晓燕"]),
    ("张伟的电话一直无人接听。", ["张伟"]),  # 张伟的, not 张伟的 as a name
    ("我是李娜，你们天天打电话", []),  # 李娜 is a dictionary word (a famous name): given up
    ("张伟你好，您的账单已逾期", ["张伟"]),  # 你好 is a word: the name ends before it
    ("刘洋、陈晓东均表示不知情", ["刘洋", "陈晓东"]),  # 均 is no given name
    ("据欧阳娜娜反映，借款人在外地打工", ["欧阳娜娜"]),  # compound surname
    ("外访时张铭不在家", ["张铭"]),  # 时 is rarer as a surname than 张
    ("我要投诉于华忠，他在电话里辱骂我", ["于华忠"]),  # 于 as a surname
    ("已向倩倩发送提醒", []),  # 向 + a doubled name: not told from 向 (towards)
    ("与张三通话5分钟", ["张三"]),  # 三通 is a word, but 通话 starts right after
    ("跟谭一鸣核实过了", ["谭一鸣"]),
    # title first (老王, 小李), and the words that start the same way
    ("已联系其同事老王，表示下周还款", ["老王"]),
    ("客户说小李今天来电了", ["小李"]),
    ("老王和张伟都是联系人，小李不知情", ["老王", "张伟", "小李"]),
    ("和小冯核实后，借款人承诺还款", ["小冯"]),
    ("从小李那里借了钱", []),  # 从小 is a word: read as 从小 + 李那里
    ("小王子的故事客户讲了一遍", []),  # 王子 goes on
])
def test_names_in_prose(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize("text", [
    "客户高兴地说已经找到新工作了",  # 高兴: a word starting with a surname
    "马上就去银行转账，请不要再打电话了",
    "钱已经转过去了，麻烦查一下是否到账",  # 钱已: a function character
    "承诺12577元于周五前还清",  # 元 after digits is a unit; 周五 a time word
    "一张银行卡被冻结了",  # 一张: the surname ends a word
    "外访时家中无人",  # 家中: a frequent word as a given name
    "投诉：贵司催收员多次拨打我单位电话",  # 贵司: a word of the domain added to the dictionary
    "上官网查询最新的还款计划",  # 上官 + 官网
    "曹县的工厂停工，客户暂时没有收入",  # 县 is no given name
    "廖廖数语就挂断了电话",  # a doubled character (a typo of 寥寥)
    "金卡用户可以享受免息分期",
    "买买提·艾力已还款",  # part of a minority name: found whole by the hinted pattern only
    "杭州云帆信息技术有限公司",  # an organisation's name: no prose
    "王氏贸易商行",
    "小时候家里条件不好", "小区物业说客户已经搬走了", "老公说会还的，请再等等",
    "老赖名单已经上报，客户很着急", "逾期金额小于五百元的不用外访", "客户说自己是理财小白",
    "养老保险已经断缴三个月了", "小米手机被客户拿去抵押了",
])
def test_not_names(text: str) -> None:
    assert _names(text) == []


def test_only_texts_with_enough_chinese_characters() -> None:
    """Labels and tags (销售经理, 收入稳定) are no prose; a short chat line is."""
    assert MIN_HAN == 6
    assert not qualifies("张伟来电了") and not qualifies("Zhang Wei 13800138000")
    assert qualifies("张伟下午来电了") and qualifies("call 张伟 back 明天下午")
    assert not qualifies("平安普惠信息服务有限公司")  # no clause break, an organisation's end
    assert not qualifies("客户在平安普惠信息服务有限公司")  # ends so, no clause break
    assert qualifies("客户说，在平安普惠信息服务有限公司")
    assert _names("张伟来电了") == []


def test_not_under_name_or_address_fields() -> None:
    """A name field's value is found whole; an address is no prose."""
    detector = Detector()
    note = "与郭琳通话5分钟，态度良好"
    assert detector.prose_for(("remark",)) and detector.prose_for(())
    assert not detector.prose_for(("homeAddress",)) and not detector.prose_for(("contactName",))
    assert [f.recognizer for f in detector.detect(note, ("remark",))] == ["ProseNameFinder"]
    assert detector.detect(note, ("companyAddress",)) == []


def test_the_detector_reports_them_as_person_names() -> None:
    detector = Detector()
    found = detector.detect("与郭琳通话5分钟")
    assert [(f.entity_type, f.start, f.end, f.score, f.recognizer) for f in found] == [
        ("PERSON_NAME", 1, 3, 0.5, "ProseNameFinder")]
    assert found == detector.python_many([("与郭琳通话5分钟", ())])[0]
    assert detector.reference("与郭琳通话5分钟") == found


@pytest.mark.parametrize("settings", [
    DetectionSettings(entities=frozenset({"CN_MOBILE"})),  # names not detected
    DetectionSettings(thresholds={"PERSON_NAME": 0.6}),  # above the pass's score
    DetectionSettings(prose_names=False),  # policy `detection.prose_names: false`
])
def test_off_where_names_are_not_reported(settings: DetectionSettings) -> None:
    detector = Detector(settings)
    assert not detector.prose
    assert detector.detect("与郭琳通话5分钟") == []
