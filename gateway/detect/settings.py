"""Detection settings, compiled from the policy's `detection:` section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from gateway.detect.recognizers import BUILTIN
from gateway.detect.recognizers.custom import CustomSpec

DEFAULT_THRESHOLD = 0.4


@dataclass(frozen=True, slots=True)
class DetectionSettings:
    """`entities`: the built-in entity types to detect (None: all).
    `thresholds`: minimum score per entity type (others: `default_threshold`).
    `hints`: extra field names per hint marker (`person_name`, `address`).
    `custom`: recognizers from the policy; `presidio_yaml`: recognizer files.
    `prose_names`: find names in prose without a cue (prose_names.py)."""

    entities: frozenset[str] | None = None
    default_threshold: float = DEFAULT_THRESHOLD
    thresholds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    custom: tuple[CustomSpec, ...] = ()
    presidio_yaml: tuple[Path, ...] = ()
    prose_names: bool = True

    def without_builtin(self) -> DetectionSettings:
        """The same settings with the policy's own recognizers only."""
        return replace(self, entities=frozenset())

    def enabled_builtin(self) -> list[str]:
        if self.entities is None:
            return list(BUILTIN)
        return [entity for entity in BUILTIN if entity in self.entities]
