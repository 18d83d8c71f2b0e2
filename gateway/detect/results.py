"""Scored spans, and presidio's rule for dropping duplicates, in plain tuples."""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

# (entity_type, start, end, score, recognizer name)
Span = tuple[str, int, int, float, str]


class Finding(NamedTuple):
    """One piece of personal data: `text[start:end]` of the text given to
    `detect`, its entity type, a score in [0, 1] and the recognizer's name.
    (A named tuple: a body can hold thousands, and they are made in bulk.)"""

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str


def remove_duplicates(spans: list[Span]) -> list[Span]:
    """presidio's EntityRecognizer.remove_duplicates: drop exact repeats, zero
    scores, and any span contained in another of the same entity type with an
    equal or higher score."""
    unique = {(e, s, t, sc): name for e, s, t, sc, name in spans}
    ordered = sorted(unique, key=lambda x: (x[0], x[1], -(x[2] - x[1]), -x[3]))
    kept: list[Span] = []
    for _, group in groupby(ordered, key=lambda x: x[0]):
        active: list[tuple[str, int, int, float]] = []
        for span in group:
            entity, start, end, score = span
            if score == 0:
                continue
            active = [a for a in active if a[2] >= start]
            if any(start >= a[1] and end <= a[2] and score <= a[3] for a in active):
                continue
            kept.append((entity, start, end, score, unique[span]))
            active.append(span)
    return kept
