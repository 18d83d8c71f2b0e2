"""A labelled sample of the evaluation set, and how one is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Label = tuple[str, int, int]
Part = str | tuple[str, str]  # plain text, or (entity, value)


@dataclass(frozen=True)
class Sample:
    text: str
    hints: tuple[str, ...]
    labels: tuple[Label, ...]
    kind: str  # field, evasion, free_text, negative


def build(parts: Sequence[Part], hints: tuple[str, ...], kind: str) -> Sample:
    text, labels = "", []
    for part in parts:
        if isinstance(part, tuple):
            entity, value = part
            labels.append((entity, len(text), len(text) + len(value)))
            text += value
        else:
            text += part
    return Sample(text, hints, tuple(labels), kind)
