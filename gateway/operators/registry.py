"""Operators by name (the registry)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from gateway.operators.base import Operator, OperatorContext, OperatorFactory
from gateway.operators.block import make_block
from gateway.operators.decrypt import make_decrypt
from gateway.operators.encrypt import make_encrypt, make_encrypt_deterministic, make_fpe
from gateway.operators.generalize import make_generalize
from gateway.operators.hmac_hash import make_hash
from gateway.operators.keep import make_keep
from gateway.operators.mask import make_mask
from gateway.operators.redact import make_redact
from gateway.operators.replace import make_replace

OPERATORS: Mapping[str, OperatorFactory] = MappingProxyType({
    "mask": make_mask, "redact": make_redact, "replace": make_replace, "hash": make_hash,
    "block": make_block, "keep": make_keep, "encrypt": make_encrypt,
    "encrypt_deterministic": make_encrypt_deterministic, "fpe": make_fpe,
    "decrypt": make_decrypt, "generalize": make_generalize,
})


def build_operator(name: str, params: Mapping[str, Any], context: OperatorContext) -> Operator:
    """The operator `name` with checked parameters; ValueError otherwise."""
    factory = OPERATORS.get(name)
    if factory is None:
        raise ValueError(f"unknown operator '{name}'; expected one of {sorted(OPERATORS)}")
    return factory(params, context)
