"""The policy's `detection:` section: schema, checks, and the Detector it builds."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Literal

import regex
from pydantic import Field, field_validator, model_validator

from gateway.detect import DetectionSettings, Detector
from gateway.detect.recognizers import BUILTIN
from gateway.detect.recognizers.custom import VALIDATORS, CustomPattern, CustomSpec
from gateway.policy.modelbase import Model

_PRESIDIO_FLAGS = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE


class PatternModel(Model):
    name: str = Field(min_length=1, max_length=64)
    regex: str = Field(min_length=1, max_length=2000)
    score: float = Field(ge=0.0, le=1.0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            regex.compile(value, _PRESIDIO_FLAGS)
        except regex.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class RecognizerModel(Model):
    entity: str = Field(min_length=1, max_length=64, pattern=r"^[A-Z][A-Z0-9_]*$")
    patterns: tuple[PatternModel, ...] = Field(min_length=1)
    context: tuple[str, ...] = ()
    validator: str = "none"

    @field_validator("validator")
    @classmethod
    def _registered(cls, value: str) -> str:
        if value not in VALIDATORS:
            raise ValueError(f"unknown validator; expected one of {sorted(VALIDATORS)}")
        return value


class DetectionModel(Model):
    entities: tuple[str, ...] | None = None
    default_threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    hints: dict[Literal["person_name", "address"], tuple[str, ...]] = Field(default_factory=dict)
    recognizers: tuple[RecognizerModel, ...] = ()
    presidio_yaml: tuple[str, ...] = ()
    prose_names: bool = True

    @field_validator("entities")
    @classmethod
    def _known(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = sorted(set(value or ()) - set(BUILTIN))
        if unknown:
            raise ValueError(f"unknown entity types {unknown}; built-in: {sorted(BUILTIN)}")
        return value

    @field_validator("thresholds")
    @classmethod
    def _scores(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(k for k, v in value.items() if not 0.0 <= v <= 1.0)
        if bad:
            raise ValueError(f"thresholds must be between 0 and 1 (see {bad})")
        return value

    @model_validator(mode="after")
    def _threshold_entities(self) -> DetectionModel:
        known = set(BUILTIN) | {r.entity for r in self.recognizers}
        unknown = sorted(set(self.thresholds) - known)
        if unknown and not self.presidio_yaml:
            raise ValueError(f"thresholds for unknown entity types {unknown}")
        return self


def build_detector(model: DetectionModel, policy_dir: Path) -> Detector:
    """The detector a policy asks for. Raises ValueError (with a message that
    names no data) when a presidio recognizer file cannot be used."""
    paths = tuple((policy_dir / p).resolve() for p in model.presidio_yaml)
    for path in paths:
        if not path.is_file():
            raise ValueError(f"presidio_yaml: no such file {path}")
    settings = DetectionSettings(
        entities=frozenset(model.entities) if model.entities is not None else None,
        default_threshold=model.default_threshold,
        thresholds=MappingProxyType(dict(model.thresholds)),
        hints=MappingProxyType({k: tuple(v) for k, v in model.hints.items()}),
        custom=tuple(
            CustomSpec(entity=r.entity,
                       patterns=tuple(CustomPattern(p.name, p.regex, p.score) for p in r.patterns),
                       context=r.context, validator=r.validator)
            for r in model.recognizers),
        presidio_yaml=paths,
        prose_names=model.prose_names,
    )
    try:
        return Detector(settings)
    except (OSError, ValueError, TypeError, KeyError, regex.error) as exc:
        raise ValueError(f"presidio_yaml: cannot load recognizers ({type(exc).__name__})") from None

