"""`keep`: let the value pass unchanged (and say so explicitly in the policy)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gateway.operators.base import OperatorContext, check_params
from gateway.operators.site import Site


@dataclass(frozen=True, slots=True)
class Keep:
    name: ClassVar[str] = "keep"
    reveals: ClassVar[bool] = True  # on a response, the value is shown in full

    def apply(self, value: str, entity: str, site: Site) -> str:
        return value


def make_keep(params: Mapping[str, Any], context: OperatorContext) -> Keep:
    check_params(params, set())
    return Keep()
