"""Personal-data detection for Chinese lending traffic, on presidio-analyzer.

    from gateway.detect import detect
    detect("身份证号 11010519491231002X", hints=("applicant", "remark"))
    # [Finding(entity_type='CN_RESIDENT_ID', start=5, end=23, score=0.95, ...)]

`detect` uses a default `Detector`; build your own from `DetectionSettings`
for thresholds, extra field hints and custom recognizers.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from gateway.detect.detector import Detector
from gateway.detect.results import Finding
from gateway.detect.scanner import DetectionTimeout
from gateway.detect.settings import DetectionSettings


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    return Detector()


def detect(text: str, hints: Sequence[str] = ()) -> list[Finding]:
    """Personal data in `text`, a value under the field names `hints`."""
    return default_detector().detect(text, hints)


__all__ = ["DetectionSettings", "DetectionTimeout", "Detector", "Finding", "default_detector",
           "detect"]
