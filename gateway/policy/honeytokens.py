"""The policy's `honeytokens:` section: values that belong to no real borrower.

The operator seeds them into the service's data (a fake borrower with an ID
number and a mobile that exist nowhere else). A response that carries one,
masked or not, means someone is reading in bulk or dumping the database. The
policy holds them only as keyed digests (`pii-gateway keys honeytoken`: the
key store's hmac key with its id, so a rotation keeps old digests valid while
the key is kept), never the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import Field

from gateway.crypto.digest import KeyedDigest, derive, value_digest
from gateway.crypto.keyring import KeyRing
from gateway.policy.modelbase import Model
from gateway.policy.ratelimits import ActionModel

_PURPOSE = b"pgw-honeytoken"


class HoneytokenModel(Model):
    entity: str = Field(min_length=1, max_length=64, pattern=r"^[A-Z][A-Z0-9_]*$")
    digest: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}:[0-9a-f]{32}$")  # kid:hex


class HoneytokensModel(Model):
    tokens: tuple[HoneytokenModel, ...] = Field(min_length=1)
    then: ActionModel = ActionModel(action="ban", duration=86400.0)


def honeytoken_digest(hmac_key: bytes, entity: str, value: str) -> str:
    """A honeytoken's digest under one hmac key (normalized like every value digest)."""
    return value_digest(derive(hmac_key, _PURPOSE), entity, value, size=16)


@dataclass(frozen=True, slots=True)
class Honeytokens:
    keys: Mapping[str, KeyedDigest] = field(repr=False)  # kid -> keyed state
    tokens: frozenset[tuple[str, str, str]]  # (kid, entity, digest)
    then: ActionModel

    def served(self, values: Mapping[str, set[str]]) -> str | None:
        """The entity type of a honeytoken among the values a response carries."""
        for kid, keyed in self.keys.items():
            for entity, found in values.items():
                for value in found:
                    if (kid, entity, keyed.value(entity, value)) in self.tokens:
                        return entity
        return None


def build_honeytokens(model: HoneytokensModel | None, keys: KeyRing | None
                      ) -> Honeytokens | None:
    """ValueError when the key store is missing or does not hold a token's key."""
    if model is None:
        return None
    if keys is None:
        raise ValueError("honeytokens are keyed digests under the key store's hmac key: "
                         "fill `keys:`")
    derived: dict[str, KeyedDigest] = {}
    tokens = set()
    for token in model.tokens:
        kid, _, digest = token.digest.partition(":")
        key = keys.get(kid, "hmac")
        if key is None:
            raise ValueError(f"the key store has no hmac key {kid} (destroyed?): make the "
                             "digest again with `pii-gateway keys honeytoken`")
        derived[kid] = KeyedDigest(derive(key, _PURPOSE), 16)
        tokens.add((kid, token.entity, digest))
    return Honeytokens(derived, frozenset(tokens), model.then)
