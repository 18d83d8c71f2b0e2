"""Run one entity type through the detector (fast path and presidio alike)."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.detect import default_detector


def spans(entity: str, text: str, hints: Sequence[str] = ()) -> list[str]:
    """The matched texts of `entity`, after checking presidio agrees."""
    detector = default_detector()
    fast = detector.detect(text, hints)
    assert fast == detector.reference(text, hints)
    return [text[f.start:f.end] for f in fast if f.entity_type == entity]


def score(entity: str, text: str, hints: Sequence[str] = ()) -> float | None:
    found = [f.score for f in default_detector().detect(text, hints) if f.entity_type == entity]
    return max(found) if found else None
