"""Strings from other projects' public test suites (presidio's recognizer
tests, python-stdnum, validator.js, id-validator.py, issue9/is) that the
detector got wrong, on both paths (native core and Python), with hard
negatives beside each rule they changed."""

from __future__ import annotations

import pytest

from gateway.detect import DetectionSettings, Detector
from gateway.native import core

PATHS = [False] + ([True] if core is not None else [])

FOUND = [
    # residence permits of Hong Kong, Macau and Taiwan residents (region 81/82/83 0000)
    ("810000199408230021", ("idNo",), "CN_RESIDENT_ID"),
    ("830000199201300022", ("居住证号",), "CN_RESIDENT_ID"),
    ("港澳居民居住证 820000200009100032", (), "CN_RESIDENT_ID"),
    # internationalized e-mail addresses
    ("a@xn--d1acufc.xn--p1ai", ("email",), "EMAIL_ADDRESS"),
    ("汉字@qq.com", ("email",), "EMAIL_ADDRESS"),
    ("user@example.中国", ("email",), "EMAIL_ADDRESS"),
    ("联系邮箱：张三@公司.中国", (), "EMAIL_ADDRESS"),
    # IPv6 with :: standing for one zero group at either end
    ("::2:3:4:5:6:7:8", ("ip",), "IP_ADDRESS"),
    ("1:2:3:4:5:6:7::", ("ip",), "IP_ADDRESS"),
    # mobiles with the long-distance 0 or an IP-dialling prefix
    ("015011111111", ("mobile",), "CN_MOBILE"),
    ("17951 13912345678", ("mobile",), "CN_MOBILE"),
    ("1259313912345678", ("mobile",), "CN_MOBILE"),
    # USCC printed with spaces
    ("91 110000 600037341L", ("统一社会信用代码",), "CN_USCC"),
    # Mastercard's 2-series at its ends
    ("2221000000000009", ("cardNo",), "CREDIT_CARD"),
    ("2720999999999996", ("cardNo",), "CREDIT_CARD"),
]

NOT_FOUND = [
    # outside Mastercard's 2221-2720 and outside every issuer range (validator.js)
    ("2721465526338453", ("cardNo",), {"CREDIT_CARD", "CN_BANK_CARD"}),
    ("2220175103860763", ("cardNo",), {"CREDIT_CARD", "CN_BANK_CARD"}),
    ("7992739871300000003", ("cardNo",), {"CN_BANK_CARD"}),  # Luhn-valid, MII 7 (petroleum)
    # region xx0000 is only a permit for 81-83
    ("110000199408230028", ("idNo",), {"CN_RESIDENT_ID"}),
    # a 0 before a number that is not a mobile, a dialling prefix before a non-mobile
    ("012011111111", ("mobile",), {"CN_MOBILE"}),
    ("1795112345678901", ("mobile",), {"CN_MOBILE"}),
    # a dot TLD glued to Chinese text stays ASCII; digits are no top-level label
    ("user@example.123", ("email",), {"EMAIL_ADDRESS"}),
    # nine groups are not an IPv6 address
    ("1:2:3:4:5:6:7:8:9", ("ip",), {"IP_ADDRESS"}),
    # USCC groups in the wrong places
    ("9111 0000 6000 3734 1L", ("统一社会信用代码",), {"CN_USCC"}),
]


@pytest.fixture(scope="module", params=PATHS, ids=lambda n: "native" if n else "python")
def detector(request: pytest.FixtureRequest) -> Detector:
    return Detector(DetectionSettings(), native=request.param)


@pytest.mark.parametrize(("text", "hints", "entity"), FOUND)
def test_found(detector: Detector, text: str, hints: tuple[str, ...], entity: str) -> None:
    found = detector.detect_many([(text, hints)])[0]
    assert entity in {f.entity_type for f in found}, found


@pytest.mark.parametrize(("text", "hints", "entities"), NOT_FOUND)
def test_not_found(detector: Detector, text: str, hints: tuple[str, ...],
                   entities: set[str]) -> None:
    found = detector.detect_many([(text, hints)])[0]
    assert not entities & {f.entity_type for f in found}, found


def test_spans_of_the_new_forms(detector: Detector) -> None:
    text = "邮箱 汉字@qq.com联系我，手机017951 13912345678"
    spans = {(f.entity_type, text[f.start:f.end]) for f in detector.detect_many([(text, ())])[0]}
    assert ("EMAIL_ADDRESS", "汉字@qq.com") in spans
