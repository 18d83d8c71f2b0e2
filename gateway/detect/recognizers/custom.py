"""Recognizers users add: a pattern and a validator in the policy, or presidio's
YAML recognizer format. Both become presidio PatternRecognizers and run on the
same fast path as the built-in ones (without gates: on every text)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from presidio_analyzer import Pattern, PatternRecognizer
from stdnum import luhn
from stdnum.cn import ric

from gateway.detect.nlp import LANGUAGE
from gateway.detect.recognizers.base import ALWAYS, Spec, ValidatingRecognizer, compact
from gateway.detect.recognizers.uscc import valid_uscc


def _luhn_digits(value: str) -> bool:
    """Luhn over the digits of the match (a prefix such as LC is ignored)."""
    number = "".join(c for c in value if c.isdigit())
    return len(number) >= 2 and luhn.is_valid(number)


# Validators a policy recognizer may name; each gets the match without
# separators, upper-cased.
VALIDATORS: Mapping[str, Callable[[str], bool]] = MappingProxyType({
    "none": lambda _value: True,
    "luhn": lambda value: _luhn_digits(value),
    "cn_ric": ric.is_valid,
    "cn_uscc": valid_uscc,
})


@dataclass(frozen=True, slots=True)
class CustomPattern:
    name: str
    regex: str
    score: float


@dataclass(frozen=True, slots=True)
class CustomSpec:
    entity: str
    patterns: tuple[CustomPattern, ...]
    context: tuple[str, ...] = ()
    validator: str = "none"


class CustomRecognizer(ValidatingRecognizer):
    JOIN_SAFE = False

    def __init__(self, spec: CustomSpec, thresholds: Mapping[str, float] | None = None) -> None:
        self._validator = VALIDATORS[spec.validator]
        super().__init__(thresholds, entity=spec.entity,
                         specs=tuple(Spec(p.name, p.regex, p.score, ALWAYS) for p in spec.patterns),
                         context=spec.context, name=f"Custom:{spec.entity}")

    def check(self, text: str) -> bool:
        return bool(self._validator(compact(text)))


def load_presidio_yaml(path: Path) -> list[PatternRecognizer]:
    """Pattern recognizers from a presidio recognizer YAML file (the
    `recognizers:` list), all set to the gateway's language."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: Sequence[Mapping[str, Any]] = (data or {}).get("recognizers") or []
    recognizers = []
    for entry in entries:
        fields = {k: v for k, v in entry.items()
                  if k in ("name", "supported_entity", "patterns", "context", "deny_list",
                           "deny_list_score")}
        fields["supported_language"] = LANGUAGE
        if "patterns" in fields:
            fields["patterns"] = [Pattern.from_dict(p) for p in fields["patterns"]]
        recognizers.append(PatternRecognizer(**fields))
    return recognizers
