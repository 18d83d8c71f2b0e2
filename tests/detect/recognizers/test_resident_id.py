from __future__ import annotations

import pytest

from gateway.detect.recognizers.resident_id import valid_resident_id
from tests.detect.recognizers.helpers import score, spans

ID = "11010519491231002X"


@pytest.mark.parametrize("text", [
    ID, ID.lower(), "身份证号：" + ID, "ID " + ID, "110105 19491231 002X", "1101 0519 4912 3100 2X",
    "110105-19491231-002X",
    "a" + ID, ID + "an", ID + "A1", "ref=" + ID + "A1",  # letters may touch a number
])
def test_found(text: str) -> None:
    assert len(spans("CN_RESIDENT_ID", text)) == 1


@pytest.mark.parametrize("text", [
    "110105194912310021",       # wrong check character
    "110105194913310025",       # month 13
    "990105194912310026",       # no province 99
    "11010519491231002X5",      # part of a longer number
    "5f3a9c0e" + ID,            # inside a longer mixed token (hex)
    ID + "a1b2",                # ... a mixed run after it
    "8f1a-11010519491231002X",  # a hyphenated group of a longer token
])
def test_refused(text: str) -> None:
    assert spans("CN_RESIDENT_ID", text) == []


def test_context_raises_the_score_and_the_legacy_form_needs_it() -> None:
    assert score("CN_RESIDENT_ID", ID) == pytest.approx(0.6)
    assert score("CN_RESIDENT_ID", "身份证 " + ID) == pytest.approx(0.95)
    assert score("CN_RESIDENT_ID", ID, hints=("idNo",)) == pytest.approx(0.95)
    assert spans("CN_RESIDENT_ID", "110105491231002") == []
    assert spans("CN_RESIDENT_ID", "旧身份证号 110105491231002") == ["110105491231002"]


def test_validation() -> None:
    assert valid_resident_id(ID)
    assert not valid_resident_id("110105" + "20991231" + "0016")  # a birth date in the future
    assert not valid_resident_id("110105491331002")               # 15 digits, month 13
