"""Operators change one piece of personal data. Parameters are checked when
the policy loads (`from_params`), never per call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from gateway.crypto.keyring import KeyRing
    from gateway.detect.classes import Catalog
    from gateway.operators.site import Site


# The entity of a whole-field decision (a field rule, not a detector finding).
FIELD = "FIELD"


class Failed(Exception):
    """The operator could not do its work on this value (a ciphertext that
    does not open): use `replacement` and count the value under `label`."""

    def __init__(self, replacement: str, label: str) -> None:
        super().__init__(label)
        self.replacement = replacement
        self.label = label


class Operator(Protocol):
    name: ClassVar[str]

    def apply(self, value: str, entity: str, site: Site) -> str:
        """The replacement for `value`, a finding of type `entity` (or FIELD)
        at `site`."""


class OperatorFactory(Protocol):
    def __call__(self, params: Mapping[str, Any], context: OperatorContext) -> Operator: ...


class OperatorContext:
    """What operators may need from outside the policy: secret keys, and the
    data-class catalog (what a field is, for `generalize`)."""

    def __init__(self, hash_key: bytes | None = None, keys: KeyRing | None = None,
                 catalog: Catalog | None = None) -> None:
        self.hash_key = hash_key
        self.keys = keys
        self.catalog = catalog

    def hmac_key(self) -> bytes | None:
        """The key of keyed hashes: `actions.hash_key_file`, else the key
        store's current `hmac` key, else None."""
        if self.hash_key is not None or self.keys is None:
            return self.hash_key
        return self.keys.current("hmac")[1]

    def keyring(self) -> KeyRing:
        if self.keys is None:
            raise ValueError("needs the key store: fill the policy's `keys:` section "
                             "(README: \"Field encryption\")")
        return self.keys


def check_params(params: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(f"unknown parameters {unknown}; allowed: {sorted(allowed)}")


def int_param(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}")
    return value
