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
