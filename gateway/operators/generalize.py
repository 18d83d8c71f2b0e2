"""`generalize`: make a value coarser, by what it is, instead of hiding it.

What a value is comes from its field's data class (`gateway/detect/classes.py`:
birth dates keep the year, addresses and issuing authorities their city,
incomes become a band, coordinates one decimal, IP addresses their network,
device ids a keyed hash in letters) or, for a finding in text, from its entity type
(ADDRESS, IP_ADDRESS). Anything else, and any value without the expected
shape, gets the `mask` operator's display form (`fallback: redact` empties it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from gateway.crypto.digest import hmac_value
from gateway.detect.classes import Catalog
from gateway.operators import generalizers as g
from gateway.operators.base import FIELD, OperatorContext, check_params, int_param
from gateway.operators.mask import Mask
from gateway.operators.site import Site

# entity type of a finding -> how it is generalized
ENTITY_METHODS: Mapping[str, str] = {"ADDRESS": "region", "IP_ADDRESS": "prefix"}
# data class -> the entity whose mask form it gets
CLASS_ENTITIES: Mapping[str, str] = {
    "phone": "CN_MOBILE", "id_number": "CN_RESIDENT_ID", "person_name": "PERSON_NAME",
    "email": "EMAIL_ADDRESS", "bank_account": "CN_BANK_CARD", "address": "ADDRESS",
    "ip_address": "IP_ADDRESS",
}
_MASK = Mask(None, None, "*")


@dataclass(frozen=True, slots=True)
class Generalize:
    name: ClassVar[str] = "generalize"
    level: str  # region: "city" or "province"
    edges: tuple[float, ...] | None  # band: explicit intervals
    decimals: int  # coarse
    redact_fallback: bool
    catalog: Catalog | None = field(repr=False)
    key: bytes | None = field(repr=False)  # hash: None -> mask instead

    def method_for(self, entity: str, path: tuple[str | int, ...]) -> tuple[str, str]:
        """(how a value of `entity` at `path` is generalized, the entity whose
        mask form it gets when it cannot be)."""
        if entity == FIELD and self.catalog is not None:
            cls = self.catalog.classify(path)
            if cls is None:
                return "mask", FIELD
            return cls.generalize, CLASS_ENTITIES.get(cls.name, FIELD)
        return ENTITY_METHODS.get(entity, "mask"), entity

    def apply(self, value: str, entity: str, site: Site) -> str:
        method, shown = self.method_for(entity, site.path)
        result = self._generalize(method, value, shown)
        if result is not None:
            return result
        return "" if self.redact_fallback else _MASK.apply(value, shown, site)

    def _generalize(self, method: str, value: str, entity: str) -> str | None:
        if method == "year":
            return g.year(value)
        if method == "region":
            return g.region(value, self.level)
        if method == "band":
            return g.band(value, self.edges)
        if method == "coarse":
            return g.coarse(value, self.decimals)
        if method == "prefix":
            return g.prefix(value, "*")
        if method == "hash":
            return device_pseudonym(self.key, value) if self.key else None
        if method == "keep":
            return value
        if method == "remove":
            return ""
        return None  # mask


# Hex digits as letters: a hex pseudonym is all digits one time in 1,800 and
# then may read as a card or phone number (4462232261544953 passes Luhn).
_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopqrstuv")


def device_pseudonym(key: bytes, value: str) -> str:
    """A device id's keyed pseudonym: 16 lower-case letters, never a number."""
    return hmac_value(key, "DEVICE", value)[:16].translate(_LETTERS)


def make_generalize(params: Mapping[str, Any], context: OperatorContext) -> Generalize:
    check_params(params, {"level", "bands", "decimals", "fallback"})
    level = params.get("level", "city")
    if level not in ("city", "province"):
        raise ValueError("level must be city or province")
    edges = params.get("bands")
    if edges is not None:
        if (not isinstance(edges, list) or not edges
                or not all(isinstance(e, int | float) and not isinstance(e, bool) for e in edges)
                or sorted(edges) != edges or len(set(edges)) != len(edges)):
            raise ValueError("bands must be a list of increasing numbers")
        edges = tuple(float(e) for e in edges)
    fallback = params.get("fallback", "mask")
    if fallback not in ("mask", "redact"):
        raise ValueError("fallback must be mask or redact")
    return Generalize(level, edges, int_param(params, "decimals", 1, 0, 4),
                      fallback == "redact", context.catalog, context.hmac_key())
