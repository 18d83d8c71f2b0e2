"""`decrypt`: the gateway's ciphertexts in a field back to plaintext, then
`then` (keep, mask or redact) on the plaintext.

A rule gives the fields and the roles; callers no rule decrypts for see the
ciphertext as stored. Text in the field without a token (data stored before
encryption was switched on) is treated as plaintext and gets `then` too, so a
masked role never sees a legacy value in full. With `fpe: true` the field's
digits are FF1 ciphertext under the current FPE key.

A token that does not open (tampered, truncated, unknown or destroyed key,
another field or record) turns the whole field into `MARKER` (or, with
`on_failure`, leaves the ciphertext or blocks the message); never a partial
value. Every failure looks the same and is counted as `decrypt_failed`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from gateway.crypto.envelope import Unsealable
from gateway.crypto.ff1 import FF1
from gateway.crypto.keyring import KeyRing
from gateway.errors import FieldBlocked
from gateway.operators.base import (
    Failed,
    Operator,
    OperatorContext,
    check_params,
)
from gateway.operators.encrypt import (
    BINDING_PARAMS,
    Binding,
    NoRecordKey,
    fpe_apply,
    fpe_tweak,
    ring_with,
)
from gateway.operators.keep import Keep
from gateway.operators.mask import Mask
from gateway.operators.redact import Redact
from gateway.operators.site import Site

MARKER = "[undecryptable]"
TOKEN = re.compile(r"\bpgw1d?\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+")
THEN: dict[str, Operator] = {"keep": Keep(), "mask": Mask(None, None, "*"), "redact": Redact()}


@dataclass(frozen=True, slots=True)
class Decrypt:
    name: ClassVar[str] = "decrypt"
    keys: KeyRing = field(repr=False)
    binding: Binding
    then: Operator
    entity: str | None  # the entity type whose mask format `then: mask` uses
    fpe: bool
    on_failure: str  # marker | keep | block

    @property
    def reveals(self) -> bool:
        """Decrypted and kept: shown in full."""
        return isinstance(self.then, Keep)

    def apply(self, value: str, entity: str, site: Site) -> str:
        shown = self.entity or entity
        try:
            context = self.binding.context(site)
            if self.fpe:
                _, key = self.keys.current("fpe")
                plain = fpe_apply(FF1(key), value, fpe_tweak(context), decrypt=True)
                return self.then.apply(plain, shown, site)
            if TOKEN.search(value) is None:  # stored before encryption was switched on
                return self.then.apply(value, shown, site)
            return TOKEN.sub(lambda m: self.then.apply(self._open(m.group(), context), shown,
                                                       site), value)
        except (Unsealable, NoRecordKey, ValueError):
            if self.on_failure == "block":
                raise FieldBlocked(403) from None
            raise Failed(value if self.on_failure == "keep" else MARKER,
                         "decrypt_failed") from None

    def _open(self, token: str, context: tuple[str, str, str]) -> str:
        return self.keys.open(token, context)


def make_decrypt(params: Mapping[str, Any], context: OperatorContext) -> Decrypt:
    check_params(params, BINDING_PARAMS | {"then", "entity", "fpe", "on_failure"})
    then = params.get("then", "keep")
    if then not in THEN:
        raise ValueError(f"then must be one of {sorted(THEN)}")
    entity = params.get("entity")
    if entity is not None and not isinstance(entity, str):
        raise ValueError("entity must be an entity type")
    fpe = params.get("fpe", False)
    if not isinstance(fpe, bool):
        raise ValueError("fpe must be true or false")
    on_failure = params.get("on_failure", "marker")
    if on_failure not in ("marker", "keep", "block"):
        raise ValueError("on_failure must be marker, keep or block")
    keys = ring_with(context, "fpe") if fpe else context.keyring()
    return Decrypt(keys, Binding.of(params), THEN[then], entity, fpe, on_failure)
