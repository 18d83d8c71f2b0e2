from __future__ import annotations

from gateway.detect.recognizers.passport import plausible_document_number
from tests.detect.recognizers.helpers import spans


def test_needs_context_or_a_hint() -> None:
    assert spans("CN_PASSPORT", "E12345678") == []
    assert spans("CN_PASSPORT", "护照号码 E12345678") == ["E12345678"]
    assert spans("CN_PASSPORT", "EA1234567", hints=("passportNo",)) == ["EA1234567"]
    assert spans("CN_PASSPORT", "G87654321", hints=("passport",)) == ["G87654321"]


def test_placeholders_refused() -> None:
    assert spans("CN_PASSPORT", "护照 E00000000") == []
    assert not plausible_document_number("E11111111")
