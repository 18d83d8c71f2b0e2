from __future__ import annotations

import pytest

from gateway.operators.base import OperatorContext
from gateway.operators.registry import OPERATORS, build_operator


def test_registry() -> None:
    assert set(OPERATORS) == {"mask", "redact", "replace", "hash", "block", "keep"}
    assert build_operator("mask", {}, OperatorContext()).name == "mask"
    with pytest.raises(ValueError, match="unknown operator 'maks'"):
        build_operator("maks", {}, OperatorContext())
