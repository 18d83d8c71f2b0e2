"""One request/response pair as it moves through the gateway (like mitmproxy's flow)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from gateway.errors import GatewayError
from gateway.http.canonical import Target
from gateway.policy.compiled import CompiledPolicy, CompiledRoute
from gateway.ratelimit.identity import Identity


@dataclass(slots=True)
class Exchange:
    request_id: str
    policy: CompiledPolicy
    client: str
    method: str
    started: float = field(default_factory=time.perf_counter)
    target: Target | None = None  # canonical target; logged only through log_safe()
    route: CompiledRoute | None = None
    status: int = 0
    error_code: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    upstream_latency_ms: float | None = None
    client_body_error: BaseException | None = None
    role: str = "-"
    # direction -> "ENTITY:operator" -> count; never values
    pii: dict[str, dict[str, int]] = field(default_factory=dict)
    # rate limits and detectors: decisions for the access line (rule, dimension,
    # remaining, action); the client's keys; RateLimit headers for the response
    limits: list[dict[str, object]] = field(default_factory=list)
    identity: Identity | None = None
    rate_headers: dict[str, str] | None = None
    trace_id: str | None = None  # from a well-formed W3C traceparent
    caller: str | None = None  # digest prefix of the API key presented, for the audit trail
    error: GatewayError | None = None  # the error the response was made from
    # (field pattern, entity) -> values shown in full in the response; turned
    # into keyed digests for the audit trail at the end of the request
    reveals: dict[tuple[str, str], list[str]] | None = None
    inspect_seconds: dict[str, float] = field(default_factory=dict)  # direction -> time
    body_bytes: dict[str, int] = field(default_factory=dict)  # direction -> inspected size

    def record(self, direction: str, counts: Counter[tuple[str, str]]) -> None:
        if not counts:
            return
        into = self.pii.setdefault(direction, {})
        for (entity, operator), n in counts.items():
            key = f"{entity}:{operator}"
            into[key] = into.get(key, 0) + n

    def latency_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 3)
