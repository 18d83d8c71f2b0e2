from __future__ import annotations

from gateway.detect.recognizers.surnames import COMPOUND, SINGLE, starts_with_surname


def test_lists() -> None:
    assert len(set(SINGLE)) == len(SINGLE) > 300
    assert all(len(name) == 2 for name in COMPOUND)
    assert starts_with_surname("欧阳锋") and starts_with_surname("王五")
    assert not starts_with_surname("的确")
