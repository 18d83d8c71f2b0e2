"""The compiled inspection core, and whether this process uses it.

`gateway.native._core` is a C extension (Cython) built at install time; where
no compiler was present it is missing and the pure-Python reference path does
all the work, with the same results (tests/native/ hold both to that). The
environment variable PII_GATEWAY_NATIVE chooses:

- `auto` (default): use the core when it was built;
- `off`: never use it (the test suite runs once this way);
- `require`: fail at start-up when it is missing or stale (CI and images).
"""

from __future__ import annotations

import os
from types import ModuleType

from gateway.native.sources import source_digest


class NativeUnavailable(RuntimeError):
    """PII_GATEWAY_NATIVE=require, and the core cannot be used."""


def _load() -> tuple[ModuleType | None, str]:
    mode = os.environ.get("PII_GATEWAY_NATIVE", "auto").strip().lower()
    if mode in ("off", "0", "no", "false"):
        return None, "off (PII_GATEWAY_NATIVE)"
    try:
        from gateway.native import _core
    except ImportError as exc:
        reason = f"not built ({exc})"
        if mode == "require":
            raise NativeUnavailable(f"the native core is required but {reason}") from None
        return None, reason
    built = getattr(_core, "SOURCE_DIGEST", None)
    expected = source_digest()
    if expected is not None and built != expected:
        reason = "stale (its sources changed since it was built: reinstall)"
        if mode == "require":
            raise NativeUnavailable(f"the native core is required but {reason}")
        return None, reason
    return _core, "compiled"


core, STATUS = _load()


def degraded() -> str | None:
    """Why bodies are inspected on the pure-Python path though nobody chose
    it (not built, stale), or None: the core is used, or PII_GATEWAY_NATIVE=off."""
    if core is not None or STATUS.startswith("off"):
        return None
    return STATUS
