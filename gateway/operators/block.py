"""`block`: refuse the message (403 by default, or 422). The error names the
field path and the entity type, never the value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gateway.errors import FieldBlocked
from gateway.operators.base import OperatorContext, check_params
from gateway.operators.site import Site


@dataclass(frozen=True, slots=True)
class Block:
    name: ClassVar[str] = "block"
    status: int

    def apply(self, value: str, entity: str, site: Site) -> str:
        raise FieldBlocked(self.status)


def make_block(params: Mapping[str, Any], context: OperatorContext) -> Block:
    check_params(params, {"status"})
    status = params.get("status", 403)
    if status not in (403, 422):
        raise ValueError("status must be 403 or 422")
    return Block(status)
