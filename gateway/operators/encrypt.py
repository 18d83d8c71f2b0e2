"""`encrypt`, `encrypt_deterministic`, `fpe`: values stored as ciphertext.

- `encrypt`: AES-256-GCM, random nonce: `pgw1.<kid>.<base64url>`.
- `encrypt_deterministic`: AES-SIV: `pgw1d.<kid>.<base64url>`; equal values in
  the same context give equal tokens, so the upstream can look them up.
- `fpe`: FF1 over the value's digits (other characters stay in place), for
  fields the upstream checks by format. It hides the digits, not the length
  or the format, carries no key id and no integrity check (see README).

Every ciphertext is bound to its context (`Binding`): the data class (the
route's, or `data_class`), the field (its path inside the record, or `field`)
and, with `record_key`, the value of that field in the enclosing record. A
value that already is a token opening in this context is left as it is, so a
client sending back what it read is not encrypted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from gateway.crypto.envelope import Unsealable, is_sealed, seal, seal_deterministic
from gateway.crypto.ff1 import FF1, MIN_DOMAIN
from gateway.crypto.keyring import KeyRing
from gateway.crypto.keystore import KeyStoreError
from gateway.errors import FieldBlocked
from gateway.operators.base import OperatorContext, check_params
from gateway.operators.site import Site, field_name


class NoRecordKey(Exception):
    """The record key the binding names is not in the message."""


def _text_param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 128):
        raise ValueError(f"{name} must be a text of 1-128 characters")
    return value


@dataclass(frozen=True, slots=True)
class Binding:
    """What a ciphertext is bound to: its associated data (or FF1 tweak)."""

    data_class: str | None = None
    field: str | None = None
    record_key: str | None = None

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Binding:
        return cls(_text_param(params, "data_class"), _text_param(params, "field"),
                   _text_param(params, "record_key"))

    def context(self, site: Site) -> tuple[str, str, str]:
        path, record = site.path, ""
        if self.record_key is not None:
            found = site.records.find(path, self.record_key) if site.records else None
            if found is None:
                raise NoRecordKey
            cut, record = found
            path = path[cut:]
        return (self.data_class or site.data_class, self.field or field_name(path), record)


def fpe_tweak(context: tuple[str, str, str]) -> bytes:
    return "\x00".join(context).encode()


def fpe_apply(ff1: FF1, value: str, tweak: bytes, decrypt: bool) -> str:
    """FF1 over the digits of `value`; ValueError when they are too few."""
    digits = "".join(c for c in value if "0" <= c <= "9")
    if not digits:
        return value
    if 10 ** len(digits) < MIN_DOMAIN:
        raise ValueError("too few digits for format-preserving encryption")
    done = iter(ff1.decrypt(digits, tweak) if decrypt else ff1.encrypt(digits, tweak))
    return "".join(next(done) if "0" <= c <= "9" else c for c in value)


@dataclass(frozen=True, slots=True)
class Encrypt:
    name: ClassVar[str] = "encrypt"
    keys: KeyRing = field(repr=False)
    binding: Binding
    deterministic: bool = False

    def apply(self, value: str, entity: str, site: Site) -> str:
        try:
            context = self.binding.context(site)
        except NoRecordKey:
            raise FieldBlocked(422) from None
        if is_sealed(value):
            try:
                self.keys.open(value, context)
                return value
            except Unsealable:
                pass
        if self.deterministic:
            kid, key = self.keys.for_encryption("deterministic")
            return seal_deterministic(key, kid, value, context)
        kid, key = self.keys.for_encryption("encrypt")
        return seal(key, kid, value, context)


@dataclass(frozen=True, slots=True)
class Fpe:
    name: ClassVar[str] = "fpe"
    keys: KeyRing = field(repr=False)
    binding: Binding

    def apply(self, value: str, entity: str, site: Site) -> str:
        try:
            tweak = fpe_tweak(self.binding.context(site))
        except NoRecordKey:
            raise FieldBlocked(422) from None
        _kid, key = self.keys.for_encryption("fpe")
        try:
            return fpe_apply(FF1(key), value, tweak, decrypt=False)
        except ValueError:
            raise FieldBlocked(422) from None


BINDING_PARAMS = {"data_class", "field", "record_key"}


def ring_with(context: OperatorContext, purpose: str) -> KeyRing:
    """The key ring, checked to have a current key for `purpose`."""
    keys = context.keyring()
    try:
        keys.current(purpose)
    except KeyStoreError as exc:
        raise ValueError(str(exc)) from None
    return keys


def make_encrypt(params: Mapping[str, Any], context: OperatorContext) -> Encrypt:
    check_params(params, BINDING_PARAMS)
    return Encrypt(ring_with(context, "encrypt"), Binding.of(params))


def make_encrypt_deterministic(params: Mapping[str, Any], context: OperatorContext) -> Encrypt:
    check_params(params, BINDING_PARAMS)
    return EncryptDeterministic(ring_with(context, "deterministic"), Binding.of(params))


@dataclass(frozen=True, slots=True)
class EncryptDeterministic(Encrypt):
    name: ClassVar[str] = "encrypt_deterministic"
    deterministic: bool = True


def make_fpe(params: Mapping[str, Any], context: OperatorContext) -> Fpe:
    check_params(params, BINDING_PARAMS)
    return Fpe(ring_with(context, "fpe"), Binding.of(params))
