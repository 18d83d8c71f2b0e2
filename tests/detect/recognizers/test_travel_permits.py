from __future__ import annotations

from tests.detect.recognizers.helpers import spans


def test_hk_macau_permit() -> None:
    assert spans("CN_HK_MACAU_PERMIT", "港澳通行证 CA1234567") == ["CA1234567"]
    assert spans("CN_HK_MACAU_PERMIT", "CA1234567") == []


def test_home_return_permit() -> None:
    assert spans("CN_HOME_RETURN_PERMIT", "回乡证 H1234567801") == ["H1234567801"]
    assert spans("CN_HOME_RETURN_PERMIT", "M12345678", hints=("homeReturnPermit",)) == ["M12345678"]


def test_taiwan_permit() -> None:
    assert spans("CN_TAIWAN_PERMIT", "台胞证 12345678") == ["12345678"]
    assert spans("CN_TAIWAN_PERMIT", "往来台湾通行证 L12345678") == ["L12345678"]
    assert spans("CN_TAIWAN_PERMIT", "12345678") == []
