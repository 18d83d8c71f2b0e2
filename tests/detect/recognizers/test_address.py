from __future__ import annotations

import pytest

from gateway.detect.recognizers.address import plausible_address
from tests.detect.recognizers.helpers import spans

HOME = "北京市朝阳区建国路88号3栋1201室"


@pytest.mark.parametrize(("value", "hint"), [
    (HOME, "address"), ("海淀区学院路1号", "homeAddr"), ("Room 1201, 88 Jianguo Road", "住址"),
])
def test_hinted_fields(value: str, hint: str) -> None:
    assert spans("ADDRESS", value, hints=(hint,)) == [value]


def test_free_text() -> None:
    assert spans("ADDRESS", f"现住址：{HOME}，") == [HOME]
    assert spans("ADDRESS", f"他家在{HOME}附近") == [HOME]
    assert spans("ADDRESS", "家住深圳市南山区，") == ["深圳市南山区"]
    assert spans("ADDRESS", "我在深圳市南山区上班") == []   # a district alone, no cue


def test_not_addresses() -> None:
    assert spans("ADDRESS", "还款中", hints=("address",)) == []
    assert spans("ADDRESS", "HOME", hints=("address",)) == []
    assert not plausible_address("无")
    assert plausible_address(HOME)


@pytest.mark.parametrize(("text", "found"), [
    ("他在宜昌市西陵区夷陵大道100号上班", ["宜昌市西陵区夷陵大道100号"]),
    ("客户现居义乌市稠城街道工人北路88号", ["义乌市稠城街道工人北路88号"]),
    ("搬到长阳土家族自治县龙舟坪镇清江路5号", ["长阳土家族自治县龙舟坪镇清江路5号"]),
    ("宜昌市区东山大道5号", ["宜昌市区东山大道5号"]),
    # a place name that goes on as another word, or no street-level end
    ("在义乌市场进货的路上", []), ("县城的道路正在施工", []), ("西陵区域内暂停营业", []),
    ("客户老家是宜昌市的", []), ("开发区的路灯坏了", []),
])
def test_addresses_from_a_city_or_county(text: str, found: list[str]) -> None:
    assert spans("ADDRESS", text) == found
