"""The policy's `audit:` section: where the audit trail goes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from gateway.policy.modelbase import Model
from gateway.policy.units import Duration, parse_size


class AuditModel(Model):
    sink: Literal["stdout", "file"] = "stdout"
    directory: str | None = Field(default=None, min_length=1)  # for `file`, relative to policy
    max_bytes: Annotated[int, BeforeValidator(parse_size), Field(gt=0)] = 10 * 1024 * 1024
    max_age: Duration = 3600.0  # a file is rotated when it is this old, or this large
    queue: int = Field(default=10_000, ge=10)
    on_full: Literal["block", "unready"] = "block"
    checkpoint_every: int = Field(default=1000, ge=1)

    @model_validator(mode="after")
    def _directory(self) -> AuditModel:
        if self.sink == "file" and self.directory is None:
            raise ValueError("a file sink needs a directory")
        return self
