"""Operators change one piece of personal data. Parameters are checked when
the policy loads (`from_params`), never per call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol


class Blocked(Exception):
    """The data must not pass; the pipeline turns this into a 403/422."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Operator(Protocol):
    name: ClassVar[str]

    def apply(self, value: str, entity: str) -> str:
        """The replacement for `value`, a finding of type `entity` (or FIELD)."""


class OperatorFactory(Protocol):
    def __call__(self, params: Mapping[str, Any], context: OperatorContext) -> Operator: ...


class OperatorContext:
    """What operators may need from outside the policy: secret keys."""

    def __init__(self, hash_key: bytes | None = None) -> None:
        self.hash_key = hash_key


def check_params(params: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(f"unknown parameters {unknown}; allowed: {sorted(allowed)}")


def int_param(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}")
    return value
