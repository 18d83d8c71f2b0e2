"""The policy's `data_classes:` section: the packaged catalog, extended.

    data_classes:
      fields:                  # field names (any spelling) -> a class
        khsr: income
        zjjg: id_issuer
      classes:                 # new classes (or a packaged one redefined)
        vehicle_vin: {level: C2, category: identity, generalize: mask, words: [[vin]]}

Class entries use the format of `gateway/detect/data_classes.yaml`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gateway.detect.classes import Catalog, packaged
from gateway.policy.modelbase import Model


class DataClassesModel(Model):
    fields: dict[str, str] = Field(default_factory=dict)
    classes: dict[str, dict[str, Any]] = Field(default_factory=dict)


def build_catalog(model: DataClassesModel) -> Catalog:
    """The packaged catalog with the policy's additions; ValueError names the
    class or field at fault."""
    catalog = packaged()
    if not model.fields and not model.classes:
        return catalog
    return catalog.extended(model.classes, model.fields)
