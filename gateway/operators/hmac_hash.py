"""`hash`: HMAC-SHA256 under a secret key, hex, truncated.

The key is `actions.hash_key_file`, or else the key store's current `hmac`
key. Never an unkeyed hash: mobile and ID numbers are few enough to enumerate. The
value is normalized first (NFKC, separators removed, upper case), so the same
number written two ways hashes the same and joins keep working; the entity
type is part of the message, so a mobile and a card with equal digits differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from gateway.crypto.digest import hmac_value
from gateway.operators.base import OperatorContext, check_params, int_param
from gateway.operators.site import Site


@dataclass(frozen=True, slots=True)
class Hash:
    name: ClassVar[str] = "hash"
    key: bytes = field(repr=False)
    length: int
    prefix: str

    def apply(self, value: str, entity: str, site: Site) -> str:
        return self.prefix + hmac_value(self.key, entity, value)[: self.length]


def make_hash(params: Mapping[str, Any], context: OperatorContext) -> Hash:
    check_params(params, {"length", "prefix"})
    key = context.hmac_key()
    if key is None:
        raise ValueError("needs a hash key: set actions.hash_key_file (create one with "
                         "`pii-gateway keys hash-key`) or use the key store (`keys:`)")
    prefix = params.get("prefix", "")
    if not isinstance(prefix, str) or len(prefix) > 16:
        raise ValueError("prefix must be a text of at most 16 characters")
    return Hash(key, int_param(params, "length", 16, 8, 64), prefix)
