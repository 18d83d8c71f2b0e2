"""Evaluation samples from collection notes, call records and contact lists:
display names, names without a cue, addresses from a city or county, and the
hard negatives of each (totals, relatives by relation, places without an
address, clauses with no person before a verb)."""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.detect import values as v
from tests.detect.samples import Part, Sample, build


def contact_notes(rng: random.Random, count: int) -> list[Sample]:
    """Collection notes, call transcripts and contact lists that name people by
    their display names (王姐, 李总, 吴老师, and 老王/小李, which the recognizer
    does not know), as collectors write them."""
    def dn() -> Part:
        return ("PERSON_NAME", v.display_name(rng))
    relations = ("同事", "朋友", "邻居", "亲戚", "同学", "领导")
    templates: list[Callable[[], list[Part]]] = [
        lambda: [f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日致电", dn(),
                 "，表示会转告借款人。"],
        lambda: ["已联系借款人", rng.choice(relations), dn(), "，称其已离职。"],
        lambda: ["通讯录：", dn(), " ", ("CN_MOBILE", v.mobile(rng)), "；", dn(), " ",
                 ("CN_MOBILE", v.mobile(rng))],
        lambda: [dn(), "您好，我是客服，想核实一下借款人的情况。"],
        lambda: ["客户让我们找", dn(), "，说钱在他那里。"],
        lambda: ["和", dn(), "核实后，借款人承诺月底还款", str(rng.randrange(500, 9000)), "元。"],
        lambda: ["坐席：请问是", dn(), "吗？对方：是的。"],
        lambda: [rng.choice(("其", "借款人的")), rng.choice(relations), dn(), "愿意代为还款。"],
    ]
    return [build(rng.choice(templates)(), (), "contact_note") for _ in range(count)]


def cueless_notes(rng: random.Random, count: int) -> list[Sample]:
    """Names in collection notes, call records and complaints with no cue word
    before them, in the positions collectors put them (written from such notes,
    not from the recognizer's word lists): at a clause start before what the
    person did, but also before 的, after 与/委托/据, in lists with 、, with
    本人 after them."""
    def pn() -> Part:
        return ("PERSON_NAME", v.person_name(rng))
    templates: list[Callable[[], list[Part]]] = [
        lambda: [pn(), "来电称本月工资未发，申请延期。"],
        lambda: ["下午", pn(), "回电，承诺周五前还清。"],
        lambda: ["外访记录：", pn(), "不在家，邻居说已搬走。"],
        lambda: [pn(), "表示对利息有异议，要求减免。"],
        lambda: ["经核实，", pn(), "已于3月离职。"],
        lambda: [pn(), "的电话一直无人接听。"],
        lambda: ["委托", pn(), "代为还款", str(rng.randrange(500, 9000)), "元。"],
        lambda: ["与", pn(), "通话5分钟，态度良好。"],
        lambda: [pn(), "、", pn(), "均为紧急联系人，均表示不知情。"],
        lambda: ["据", pn(), "反映，借款人在外地打工。"],
        lambda: [pn(), "本人接听，称下周还款。"],
    ]
    return [build(rng.choice(templates)(), (), "cueless") for _ in range(count)]


def town_addresses(rng: random.Random, count: int) -> list[Sample]:
    """Addresses in notes that start at a city or county below the province
    and have no cue word before them (现居, 搬到, 在...上班)."""
    def addr() -> Part:
        return ("ADDRESS", v.town_address(rng))
    templates: list[Callable[[], list[Part]]] = [
        lambda: ["客户现居", addr(), "，近期未联系上。"],
        lambda: ["借款人已搬到", addr(), "，新号码待核实。"],
        lambda: ["他在", addr(), "上班，单位电话无人接听。"],
        lambda: ["上门走访", addr(), "未见本人"],
        lambda: ["收货信息：", ("PERSON_NAME", v.person_name(rng)), " ",
                 ("CN_MOBILE", v.mobile(rng)), " ", addr()],
    ]
    return [build(rng.choice(templates)(), (), "town_address") for _ in range(count)]


def place_negatives(rng: random.Random, count: int) -> list[Sample]:
    """Notes that name cities, counties and districts without an address."""
    towns = ("宜昌市", "义乌市", "昆山市", "南昌县", "荆州市", "临沂市", "朝阳区", "西陵区")
    texts: list[Callable[[], str]] = [
        lambda: f"客户老家是{rng.choice(towns)}的，已回老家过年。",
        lambda: "借款人在义乌市场进货的路上，说晚点回电。",
        lambda: f"{rng.choice(towns)}分行审批通过，放款{rng.randrange(1, 50)}万元。",
        lambda: "县城的道路正在施工，区域内网点暂停营业，市民可到市区的街道办咨询。",
        lambda: f"{rng.choice(towns)}的房价较高，客户考虑去{rng.choice(towns)}发展。",
        lambda: "开发区的路灯坏了，城区内的道路拥堵，客户迟到。",
    ]
    return [build([rng.choice(texts)()], (), "negative") for _ in range(count)]


def prose_negatives(rng: random.Random, count: int) -> list[Sample]:
    """Notes where kinship and title words are no one's name: totals (总额,
    总计), 总 as an adverb, relatives named by relation only, job titles
    without a surname, words that start with a surname (师姐, 班主任)."""
    amount = lambda: str(rng.randrange(1000, 100000))  # noqa: E731
    texts: list[Callable[[], str]] = [
        lambda: f"本金总计{amount()}元，利息总额{rng.randrange(10, 900)}元，已逾期。",
        lambda: f"借款人说钱总是不够用，{rng.randrange(2, 9)}万总额无法一次还清。",
        lambda: f"对方姐姐接听，称借款人外出打工，分期总共{rng.randrange(3, 36)}期。",
        lambda: "其大哥表示会帮忙还款，的阿姨接听后挂断。",
        lambda: f"联系其表姐未果，合同总金额{amount()}元，还款总额待核。",
        lambda: "借款人的师姐称其已搬家，班主任说不清楚。",
        lambda: f"催收总部通知：贷款总行审批通过，总经理办公室电话{rng.randrange(100, 999)}转。",
        lambda: "已联系对方老板，和对方大哥沟通，其小姨愿意代偿。",
        lambda: f"逾期总天数{rng.randrange(1, 400)}天，本月总还款额{amount()}元，是帅哥接的电话。",
        lambda: "借款人与高校长期合作，工资由银行长期代发。",
        lambda: (f"客户{rng.choice(('迟到', '明天还款', '马上还', '高兴地说', '安排在下周'))}，"
                 f"借款人{rng.choice(('明天来', '马上到', '关于还款的意见是', '文件已提交'))}。"),
        # clauses that start with no person before what people do
        lambda: (f"{rng.choice(('公司', '银行', '平台', '双方', '家人', '物业'))}表示会处理，"
                 f"{rng.choice(('所以说', '简单说', '严格说', '据说'))}不算逾期，"
                 f"{rng.choice(('每月', '按时', '提前', '全部', '分期'))}还款。"),
    ]
    return [build([rng.choice(texts)()], (), "negative") for _ in range(count)]
