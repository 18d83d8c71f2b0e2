"""The audit trail's compiled settings (the policy's `audit:` section, paths
resolved): what the compiled policy holds, apart from the writer that uses them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class AuditSettings:
    sink: str
    directory: Path | None
    max_bytes: int
    max_age: float
    queue: int
    on_full: str
    checkpoint_every: int
