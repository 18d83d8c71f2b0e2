from __future__ import annotations

import pytest

from gateway.detect.recognizers.mobile import valid_mobile
from tests.detect.recognizers.helpers import score, spans


@pytest.mark.parametrize(("text", "match"), [
    ("13800138000", "13800138000"),
    ("手机138 0013 8000。", "138 0013 8000"),
    ("+86 138-0013-8000", "+86 138-0013-8000"),
    ("008613800138000", "008613800138000"),
    ("8613800138000", "8613800138000"),
    ("tel: 19912345678", "19912345678"),
    ("x13800138000", "13800138000"),        # letters may touch a number
    ("tel=m13800138000abc", "13800138000"),
    ("a1b13800138000", "13800138000"),      # a short mixed run beside it
])
def test_found(text: str, match: str) -> None:
    assert spans("CN_MOBILE", text) == [match]


@pytest.mark.parametrize("text", [
    "12012345678",      # 120 is not a mobile segment
    "14012345678",      # neither is 140
    "138001380001",     # twelve digits
    "1697354400000",    # a millisecond timestamp
    "k3j5h2g13800138000",                # inside a longer mixed token (base36)
    "9f86d081884c13800138000e1a4c7ab3",  # ... a hex digest
    "13800138000a1b2",                   # ... a mixed run after it
    "0b6f9c2e-13800138000-4f1e",         # a group of a hyphenated token
])
def test_refused(text: str) -> None:
    assert spans("CN_MOBILE", text) == []


def test_context() -> None:
    assert score("CN_MOBILE", "13800138000") == pytest.approx(0.5)
    assert score("CN_MOBILE", "联系电话13800138000") == pytest.approx(0.85)
    assert score("CN_MOBILE", "13800138000", ("contactPhone",)) == pytest.approx(0.85)


def test_validation() -> None:
    assert valid_mobile("+8613800138000") and valid_mobile("13800138000")
    assert not valid_mobile("+8612000138000")
