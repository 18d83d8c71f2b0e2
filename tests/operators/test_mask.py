from __future__ import annotations

import pytest

from gateway.operators.base import OperatorContext
from gateway.operators.mask import make_mask
from gateway.operators.site import Site

DEFAULT = make_mask({}, OperatorContext())

SITE = Site("api", ("field",))


@pytest.mark.parametrize(("entity", "value", "masked"), [
    ("CN_MOBILE", "13800138000", "138****8000"),
    ("CN_MOBILE", "138 0013 8000", "138 **** 8000"),
    ("CN_MOBILE", "１３８００１３８０００", "１３８****８０００"),
    ("CN_MOBILE", "+86 13800138000", "+86 138****8000"),
    ("CN_MOBILE", "008613800138000", "0086138****8000"),
    ("CN_BANK_CARD", "6222021234567890128", "622202*********0128"),
    ("CN_RESIDENT_ID", "11010519491231002X", "1****************X"),
    ("PERSON_NAME", "张三", "张*"),
    ("PERSON_NAME", "欧阳娜娜", "欧***"),
    ("ADDRESS", "北京市朝阳区建国路88号3栋1201室", "北京市朝阳区*************"),
    ("EMAIL_ADDRESS", "zhang.san@example.cn", "z****.***@example.cn"),
    ("IP_ADDRESS", "110.189.199.14", "110.189.*.*"),
    ("CN_PASSPORT", "E12345678", "E******78"),
    ("UNKNOWN", "ab", "**"),
])
def test_defaults(entity: str, value: str, masked: str) -> None:
    assert DEFAULT.apply(value, entity, SITE) == masked


def test_params() -> None:
    mask = make_mask({"keep_first": 0, "keep_last": 4, "char": "#"}, OperatorContext())
    assert mask.apply("13800138000", "CN_MOBILE", SITE) == "#######8000"
    for bad in ({"char": "**"}, {"keep_first": -1}, {"keep_last": "4"}, {"other": 1}):
        with pytest.raises(ValueError, match=r"char|keep_|unknown"):
            make_mask(bad, OperatorContext())
