from __future__ import annotations

import pytest

from gateway.operators.base import OperatorContext
from gateway.operators.registry import OPERATORS, build_operator


def test_registry() -> None:
    assert set(OPERATORS) == {"mask", "redact", "replace", "hash", "block", "keep", "encrypt",
                              "encrypt_deterministic", "fpe", "decrypt", "generalize"}
    assert build_operator("mask", {}, OperatorContext()).name == "mask"
    with pytest.raises(ValueError, match="unknown operator 'maks'"):
        build_operator("maks", {}, OperatorContext())


@pytest.mark.parametrize("name", ["encrypt", "encrypt_deterministic", "fpe", "decrypt"])
def test_encryption_operators_need_the_key_store(name: str) -> None:
    with pytest.raises(ValueError, match="needs the key store"):
        build_operator(name, {}, OperatorContext())
