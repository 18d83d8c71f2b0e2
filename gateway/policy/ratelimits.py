"""The policy's `rate_limits:` section: limits per client and scraping detectors."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from gateway.policy.modelbase import Model
from gateway.policy.units import Duration

Dimension = Literal["subject", "device", "ip", "net"]
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h|d)\s*$")
_PER = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_rate(text: str) -> float:
    """Requests per second from `20/s`, `100/m`, `1000/h`, `5000/d`."""
    m = _RATE.match(text)
    if m is None or float(m.group(1)) <= 0:
        raise ValueError("must be a rate such as 20/s, 100/m or 1000/h")
    return float(m.group(1)) / _PER[m.group(2)]


class ActionModel(Model):
    """What a detector does when it fires. `reject`: this request gets 429;
    `throttle`: the client's limits are divided by `factor` for `duration`;
    `strict`: the client is served as `strict_role` for `duration`; `ban`: every
    request of the client gets 429 for `duration`."""

    action: Literal["reject", "throttle", "strict", "ban"] = "ban"
    duration: Duration = 900.0
    factor: int = Field(default=10, ge=2, le=1000)


class LimitModel(Model):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    routes: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    dimensions: tuple[Dimension, ...] = Field(default=("ip",), min_length=1)
    rate: str
    burst: int | None = Field(default=None, ge=1, le=1_000_000)
    daily_quota: int | None = Field(default=None, ge=1)

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(value)
        return value


class EnumerationModel(Model):
    window: Duration = 600.0
    max_ids: int = Field(default=200, ge=1)  # distinct resource ids per client and window
    sequential_run: int = Field(default=20, ge=2)  # ids n, n+1, n+2, ... in a row
    path_ids: bool = True  # numeric or UUID path segments (/loans/{id})
    query_params: tuple[str, ...] = ("id", "borrowerId", "loanId", "userId", "idNo", "mobile")
    then: ActionModel = ActionModel()


class ExposureModel(Model):
    """Distinct values a client may receive *in full* (after the operators:
    kept or decrypted, never masked or hashed) per window, by entity type; a
    role can have budgets of its own, or none (`null`)."""

    window: Duration = 86400.0
    budgets: dict[str, int] = Field(default_factory=dict)  # entity type -> distinct values
    roles: dict[str, dict[str, int] | None] = Field(default_factory=dict)
    then: ActionModel = ActionModel()

    @field_validator("budgets")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        if any(v < 1 for v in value.values()):
            raise ValueError("budgets are positive numbers of distinct values")
        return value

    @field_validator("roles")
    @classmethod
    def _role_budgets(cls, value: dict[str, dict[str, int] | None]
                      ) -> dict[str, dict[str, int] | None]:
        for budgets in value.values():
            if budgets is not None:
                cls._positive(budgets)
        return value

    def budget(self, role: str, entity: str) -> int | None:
        """The budget of a caller in `role` for `entity`; None: unlimited."""
        budgets = self.roles.get(role, self.budgets)
        if budgets is None:
            return None
        return budgets.get(entity, budgets.get("*"))


class ProbingModel(Model):
    window: Duration = 300.0
    min_requests: int = Field(default=20, ge=1)
    max_error_ratio: float = Field(default=0.5, gt=0, le=1)
    statuses: tuple[int, ...] = (401, 403, 404)
    then: ActionModel = ActionModel()


class PagingModel(Model):
    page_params: tuple[str, ...] = ("page", "pageNo", "pageNum", "offset")
    size_params: tuple[str, ...] = ("size", "pageSize", "limit")
    max_size: int = Field(default=100, ge=1)  # larger: 400 page_size_too_large
    max_page: int = Field(default=50, ge=1)  # deeper: the detector fires
    max_pages: int = Field(default=100, ge=1)  # distinct pages of one route per window
    window: Duration = 600.0
    then: ActionModel = ActionModel(action="throttle")


class RedisModel(Model):
    timeout: Duration = 0.05
    failures: int = Field(default=3, ge=1)  # in a row: the breaker opens
    reset: Duration = 5.0  # ... for this long
    fallback_share: float = Field(default=0.5, gt=0, le=1)  # of each limit, while degraded


class RateLimitsModel(Model):
    store: str = "memory"  # or redis://host:port/db, or redis+cluster://host:port
    redis: RedisModel = RedisModel()
    device_header: str | None = Field(default=None, min_length=1, max_length=64)
    detect_by: tuple[Dimension, ...] = ("subject", "ip")
    strict_role: str = Field(default="anonymous", min_length=1, max_length=64)
    limits: tuple[LimitModel, ...] = ()
    enumeration: EnumerationModel | None = None
    exposure: ExposureModel | None = None
    probing: ProbingModel | None = None
    paging: PagingModel | None = None

    @field_validator("store")
    @classmethod
    def _store(cls, value: str) -> str:
        if value != "memory" and not value.startswith(
                ("redis://", "rediss://", "unix://", "redis+cluster://")):
            raise ValueError("must be memory, a redis:// URL or redis+cluster://host:port")
        return value

    @model_validator(mode="after")
    def _names(self) -> RateLimitsModel:
        names = [limit.name for limit in self.limits]
        if len(names) != len(set(names)):
            raise ValueError("limit names must be unique")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.limits or self.enumeration or self.exposure or self.probing
                    or self.paging)
