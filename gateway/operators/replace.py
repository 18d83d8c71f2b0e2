"""`replace`: an entity tag such as `<CN_MOBILE>` (or a fixed text with `{entity}`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from gateway.operators.base import OperatorContext, check_params
from gateway.operators.site import Site


@dataclass(frozen=True, slots=True)
class Replace:
    name: ClassVar[str] = "replace"
    template: str

    def apply(self, value: str, entity: str, site: Site) -> str:
        return self.template.replace("{entity}", entity)


def make_replace(params: Mapping[str, Any], context: OperatorContext) -> Replace:
    check_params(params, {"with"})
    template = params.get("with", "<{entity}>")
    if not isinstance(template, str) or len(template) > 200:
        raise ValueError("with must be a text of at most 200 characters")
    return Replace(template)
