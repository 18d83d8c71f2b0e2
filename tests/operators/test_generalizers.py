"""Generalizations, value by value."""

from __future__ import annotations

import pytest

from gateway.operators import generalizers as g


@pytest.mark.parametrize(("value", "expected"), [
    ("1996-01-27", "1996-**-**"), ("1996/1/7", "1996/*/*"), ("1996.01.27", "1996.**.**"),
    ("1996年1月27日", "1996年*月**日"), ("19960127", "1996****"),
    ("1996-01-27T08:00:00+08:00", "1996-**-**"), ("1996-01-27 08:00", "1996-**-**"),
    ("822700800", "1996"), ("822700800000", "1996"),
    ("1996-13-01", None), ("1996-02-45", None), ("not a date", None), ("13912345678", None),
    ("", None),
])
def test_year(value: str, expected: str | None) -> None:
    assert g.year(value) == expected


@pytest.mark.parametrize(("value", "level", "expected"), [
    ("湖北省武汉市武昌区公安局", "city", "湖北省武汉市***"),
    ("湖北省武汉市武昌区公安局", "province", "湖北省***"),
    ("北京市朝阳区建国路88号", "city", "北京市***"),
    ("北京朝阳区建国路88号", "province", "北京***"),
    ("广西壮族自治区南宁市青秀区民族大道1号", "city", "广西壮族自治区南宁市***"),
    ("新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "city", "新疆维吾尔自治区伊犁哈萨克自治州***"),
    ("内蒙古自治区锡林郭勒盟锡林浩特市", "city", "内蒙古自治区锡林郭勒盟***"),
    ("深圳市南山区科技园南路1号", "city", "深圳市***"),  # starts at city level
    ("深圳市南山区科技园南路1号", "province", "深圳市***"),
    ("湖北省", "city", "湖北省"),
    ("香港特别行政区中西区", "city", "香港特别行政区***"),
    ("南山区科技园南路1号", "city", None),
    ("13912345678", "city", None),
])
def test_region(value: str, level: str, expected: str | None) -> None:
    assert g.region(value, level) == expected


@pytest.mark.parametrize(("value", "edges", "expected"), [
    ("28000", None, "20000-30000"), ("28,000.50", None, "20000-30000"), ("¥ 609", None, "600-700"),
    ("5", None, "0-10"), ("53200元", None, "50000-60000"), ("-3", None, "<0"),
    ("28000", (0, 5000, 10000, 30000), "10000-30000"), ("50000", (0, 5000, 10000, 30000), "30000+"),
    ("-1", (0, 5000), "<0"), ("1e5", None, None), ("三千", None, None), ("", None, None),
])
def test_band(value: str, edges: tuple[float, ...] | None, expected: str | None) -> None:
    assert g.band(value, edges) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("30.546912", "30.5"), ("30.546912,114.342104", "30.5,114.3"),
    ("-33.8688, 151.2093", "-33.9, 151.2"), ("N30.546912 E114.342104", "N30.5 E114.3"),
    ("湖北省武汉市", None), ("30", None), ("13912345678", None),
])
def test_coarse(value: str, expected: str | None) -> None:
    assert g.coarse(value, 1) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("200.168.4.175", "200.168.*.*"), ("2001:db8:1:2::5", "2001:db8:*:*:*:*:*:*"),
    ("::1", "0:0:*:*:*:*:*:*"), ("200.168.4", None), ("deviceid", None),
])
def test_prefix(value: str, expected: str | None) -> None:
    assert g.prefix(value, "*") == expected
