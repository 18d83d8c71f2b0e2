"""`redact`: remove the value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gateway.operators.base import OperatorContext, check_params
from gateway.operators.site import Site


@dataclass(frozen=True, slots=True)
class Redact:
    name: ClassVar[str] = "redact"

    def apply(self, value: str, entity: str, site: Site) -> str:
        return ""


def make_redact(params: Mapping[str, Any], context: OperatorContext) -> Redact:
    check_params(params, set())
    return Redact()
