"""Process state shared by the proxy and admin apps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from gateway.audit.writer import AuditWriter
from gateway.policy.compiled import CompiledPolicy, compile_file_version
from gateway.protect.offload import ProcessInspector
from gateway.proxy.forward import UpstreamPool
from gateway.ratelimit.limiter import StoreHolder


class PolicyHolder:
    """The policy in force. Swapped atomically by reload; each request reads
    it once at its start and keeps that object to the end."""

    def __init__(self, policy: CompiledPolicy) -> None:
        self.current = policy


@dataclass
class GatewayState:
    policies: PolicyHolder
    pool: UpstreamPool = field(default_factory=UpstreamPool)
    inspector: ProcessInspector = field(
        default_factory=lambda: ProcessInspector(compile_file_version))
    limiter: StoreHolder = field(default_factory=StoreHolder)
    probes: dict[str, tuple[float, bool]] = field(default_factory=dict)  # /readyz, by URL
    audit: AuditWriter | None = None  # started by the server when the policy has `audit:`
    worker_id: int = 0
    inflight: int = 0
    draining: bool = False
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()
        self.limiter.sync(self.policies.current.limits)

    def request_began(self) -> None:
        self.inflight += 1
        self.idle.clear()

    def request_ended(self) -> None:
        self.inflight -= 1
        if self.inflight == 0:
            self.idle.set()
