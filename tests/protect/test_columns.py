"""Columns decided by their values: lists of records whose field names say
nothing, with personal names in them, and hard negatives (place, company,
product, status and title columns)."""

from __future__ import annotations

import json
import random

import pytest

from gateway.codecs.json_codec import JsonCodec, NdjsonCodec
from gateway.detect import Detector
from gateway.protect.columns import name_columns, name_shaped
from tests.detect import values

DETECTOR = Detector()
# Field names that tell nothing: exports, grids and minified clients. (The
# catalog reads `data`, `field`, `column`, `cell`, `key` and `title` as words
# it knows: such columns are not decided by their values.)
OPAQUE = ("f1", "f2", "col3", "c_4", "v", "n", "name", "value", "text", "label", "fld_2", "val",
          "x", "k", "attr2", "item", "s1", "p1", "prop2")
# Two-to-four-character values that are no one's name, as lending systems carry them.
NOT_NAMES = {
    "district": ["朝阳", "海淀", "南山", "罗湖", "龙岗", "福田", "宝安", "龙华", "光明", "坪山",
                 "西湖", "江干", "武侯", "金牛", "雨花", "鼓楼", "黄浦", "徐汇", "静安", "闵行"],
    "city": ["武汉", "成都", "南京", "沈阳", "郑州", "苏州", "温州", "常州", "石家庄", "南宁",
             "南昌", "昆明", "贵阳", "兰州", "银川", "西宁", "海口", "三亚", "洛阳", "宜昌"],
    "company": ["华为", "阿里", "百度", "京东", "美团", "小米", "滴滴", "腾讯", "网易", "拼多多",
                "顺丰", "万科", "格力", "海尔", "联想", "平安", "招行", "民生", "光大", "中信"],
    "product": ["借呗", "花呗", "微粒贷", "金条", "白条", "有钱花", "安逸花", "万卡", "时光分期",
                "分期乐", "招联", "马上贷", "云闪付", "闪电贷", "易贷", "快贷"],
    "status": ["还款中", "已结清", "逾期", "审核中", "已放款", "已拒绝"],
    "title": ["经理", "主管", "总监", "专员", "科员", "主任", "助理", "文员", "司机", "会计"],
    "industry": ["金融", "房地产", "制造", "教育", "餐饮", "物流", "建筑", "零售", "医疗", "农业"],
}


def _body(key: str, column: list[str], rng: random.Random) -> bytes:
    records = [{"id": f"L{rng.randrange(10**8):08d}", key: value,
                "amount": f"{rng.randrange(100, 90000)}.00"} for value in column]
    return json.dumps({"code": 0, "data": {"list": records}}, ensure_ascii=False).encode()


def _columns(body: bytes) -> frozenset[str]:
    return name_columns(JsonCodec().decode(body, "utf-8").leaves(), DETECTOR)


@pytest.mark.parametrize(("text", "shaped"), [
    ("张三", True), ("欧阳娜娜", True), ("王小明", True), ("张", False), ("张三丰四五", False),
    ("Zhang", False), (" 张三", False), ("张3", False), ("的确", False),
])
def test_name_shaped(text: str, shaped: bool) -> None:
    assert name_shaped(text) == shaped


def test_columns_of_names_under_names_that_say_nothing() -> None:
    rng = random.Random(15)
    found = 0
    for i in range(200):
        key = OPAQUE[i % len(OPAQUE)]
        column = [values.person_name(rng) for _ in range(rng.randrange(5, 40))]
        found += _columns(_body(key, column, rng)) == {f"data.list[*].{key}"}
    assert found >= 196, found  # 98 %


@pytest.mark.parametrize("kind", sorted(NOT_NAMES))
def test_columns_of_other_words_are_not_names(kind: str) -> None:
    rng = random.Random(kind)
    for i in range(100):
        column = [rng.choice(NOT_NAMES[kind]) for _ in range(rng.randrange(5, 40))]
        assert _columns(_body(OPAQUE[i % len(OPAQUE)], column, rng)) == frozenset(), column


def test_what_a_column_needs() -> None:
    rng = random.Random(3)
    names = ["张伟华", "王芳", "李娜娜", "刘洋明", "陈静怡", "杨秀英"]
    assert _columns(_body("f1", names, rng))
    assert not _columns(_body("f1", names[:4], rng))                     # fewer than five
    assert not _columns(_body("f1", names[:3] + ["还款中"] * 3, rng))      # one in two
    assert not _columns(_body("f1", ["张伟华", "王芳明"] * 3, rng))        # repeats
    assert not _columns(_body("bankName", names, rng))                    # the name says what it is
    assert not _columns(_body("custName", names, rng))                    # ... a name already


def test_ndjson_lines_are_records() -> None:
    lines = "\n".join(json.dumps({"v": n}, ensure_ascii=False)
                      for n in ["张伟华", "王芳", "李娜娜", "刘洋明", "陈静怡"])
    doc = NdjsonCodec().decode(lines.encode(), "utf-8")
    assert name_columns(doc.leaves(), DETECTOR) == {"[*].v"}
