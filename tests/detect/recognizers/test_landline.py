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
    ("075586013388", "075586013388"),                  # one digit run
    ("+86-755-86013388", "+86-755-86013388"),          # international, area code without 0
    ("电话 +86 (10) 8888 6666", "+86 (10) 8888 6666"),
    ("0086 21 6888 1234", "0086 21 6888 1234"),
])
def test_found(text: str, match: str) -> None:
    assert spans("CN_LANDLINE", text) == [match]


@pytest.mark.parametrize("text", [
    "62345678",              # no area code
    "010-12345678",          # local numbers do not start with 1
    "010-88888888",          # a placeholder
    "07816836-7817-69f8-19b0-22121be9027f",  # part of a UUID
    "+86-755-88888888",      # a placeholder, international
    "+86 13912345678",       # a mobile
    "+86-1-86013388",        # no such area code
])
def test_refused(text: str) -> None:
    assert spans("CN_LANDLINE", text) == []


def test_validation() -> None:
    assert valid_landline("0755-86001234")
    assert not valid_landline("0755-0600123")
    assert valid_landline("+86 (755) 86001234") and valid_landline("0086-10-62345678")
