"""The `generalize` operator: by data class for whole fields, by entity type
for findings, masked when a value does not have the expected shape."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.detect.classes import packaged
from gateway.operators.base import FIELD, OperatorContext
from gateway.operators.generalize import device_pseudonym, make_generalize
from gateway.operators.site import Site

KEY = b"k" * 32


def apply(value: str, path: tuple[str | int, ...], entity: str = FIELD,
          key: bytes | None = KEY, **params: Any) -> str:
    operator = make_generalize(params, OperatorContext(hash_key=key, catalog=packaged()))
    return operator.apply(value, entity, Site("lending", path))


@pytest.mark.parametrize(("path", "value", "expected"), [
    (("birthDate",), "1996-01-27", "1996-**-**"),
    (("kyc", "idIssuer"), "湖北省武汉市武昌区公安局", "湖北省武汉市***"),
    (("kyc", "idValidUntil"), "2029-03-15", "2029-**-**"),
    (("monthlyIncome",), "28000", "20000-30000"),
    (("creditScore",), "609", "600-700"),
    (("gps",), "30.546912,114.342104", "30.5,114.3"),
    (("registerIp",), "200.168.4.175", "200.168.*.*"),
    (("kyc", "maritalStatus"), "离异", ""),
    (("gender",), "女", "女"),
    (("mobile",), "13912345678", "139****5678"),  # phone: the mask form of a mobile
    (("name",), "张三丰", "张**"),
    (("remark",), "13912345678", "1*********8"),  # no class: masked whole
])
def test_by_data_class(path: tuple[str, ...], value: str, expected: str) -> None:
    assert apply(value, path) == expected


def test_values_without_the_expected_shape_are_masked_not_passed() -> None:
    assert apply("13912345678", ("birthDate",)) == "1*********8"
    assert apply("月入三万", ("monthlyIncome",)) == "月**万"
    assert apply("13912345678", ("monthlyIncome",)) == "10000000000-20000000000"  # a band
    assert apply("13912345678", ("birthDate",), fallback="redact") == ""


def test_device_ids_become_a_keyed_hash_or_a_mask_without_a_key() -> None:
    hashed = apply("67dd8650783930a2", ("deviceId",))
    assert hashed == device_pseudonym(KEY, "67dd8650783930a2")
    assert len(hashed) == 16 and hashed.isalpha() and hashed.islower()
    assert apply("67dd8650783930a2", ("deviceId",)) == hashed  # stable: a pseudonym
    assert apply("67dd8650783930a2", ("deviceId",), key=None) == "6**************2"


def test_findings_by_entity() -> None:
    assert apply("湖北省武汉市武昌区人民路1号", ("note",), "ADDRESS") == "湖北省武汉市***"
    assert apply("湖北省武汉市武昌区人民路1号", ("note",), "ADDRESS",
                 level="province") == "湖北省***"
    assert apply("10.1.2.3", ("note",), "IP_ADDRESS") == "10.1.*.*"
    assert apply("13912345678", ("note",), "CN_MOBILE") == "139****5678"


def test_bands_from_the_policy() -> None:
    assert apply("28000", ("salary",), bands=[0, 10000, 50000]) == "10000-50000"


@pytest.mark.parametrize(("params", "message"), [
    ({"level": "county"}, "level"), ({"bands": [3, 1]}, "bands"), ({"bands": []}, "bands"),
    ({"bands": ["a"]}, "bands"), ({"decimals": 9}, "decimals"), ({"fallback": "keep"}, "fallback"),
    ({"colour": 1}, "unknown parameters"),
])
def test_bad_params(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_generalize(params, OperatorContext())


def test_a_device_pseudonym_never_reads_as_a_number() -> None:
    """The hex form was all digits one time in 1,800 (4462232261544953, a Visa
    number by Luhn, came out of a demo device id under one development key)."""
    from gateway.detect import default_detector

    for i in range(3000):
        pseudonym = device_pseudonym(KEY, f"{i:016x}")
        assert not any(c.isdigit() for c in pseudonym)
    assert default_detector().detect(device_pseudonym(KEY, "67dd8650783930a2")) == []
