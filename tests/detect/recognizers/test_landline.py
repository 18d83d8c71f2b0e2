from __future__ import annotations

import pytest

from gateway.detect.recognizers.landline import valid_landline
from tests.detect.recognizers.helpers import spans


@pytest.mark.parametrize(("text", "match"), [
    ("010-62345678", "010-62345678"),
    ("电话 0755 8600 1234", "0755 8600 1234"),
    ("(021)62345678", "(021)62345678"),
    ("0571-86001234转8", "0571-86001234转8"),
    ("0571-86001234-123", "0571-86001234-123"),
])
def test_found(text: str, match: str) -> None:
    assert spans("CN_LANDLINE", text) == [match]


@pytest.mark.parametrize("text", [
    "62345678",              # no area code
    "010-12345678",          # local numbers do not start with 1
    "010-88888888",          # a placeholder
    "07816836-7817-69f8-19b0-22121be9027f",  # part of a UUID
])
def test_refused(text: str) -> None:
    assert spans("CN_LANDLINE", text) == []


def test_validation() -> None:
    assert valid_landline("0755-86001234")
    assert not valid_landline("0755-0600123")
