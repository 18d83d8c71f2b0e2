from __future__ import annotations

from gateway.detect.recognizers import BUILTIN
from gateway.detect.settings import DetectionSettings


def test_enabled_builtin_keeps_registry_order() -> None:
    assert DetectionSettings().enabled_builtin() == list(BUILTIN)
    only = DetectionSettings(entities=frozenset({"ADDRESS", "CN_MOBILE"}))
    assert only.enabled_builtin() == ["CN_MOBILE", "ADDRESS"]
