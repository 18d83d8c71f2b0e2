from __future__ import annotations

import pytest

from gateway.detect.recognizers.license_plate import valid_plate
from tests.detect.recognizers.helpers import spans


@pytest.mark.parametrize("plate", ["京A12345", "粤B·D12345", "沪AD12345", "浙A1B23C"])
def test_found(plate: str) -> None:
    assert spans("CN_LICENSE_PLATE", f"车牌{plate}") == [plate]


def test_refused() -> None:
    assert spans("CN_LICENSE_PLATE", "京AABCDE") == []    # five letters
    assert spans("CN_LICENSE_PLATE", "京I12345") == []    # no I
    assert not valid_plate("京A1234")
    assert valid_plate("京AF12345")
