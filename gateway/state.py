"""Process state shared by the proxy and admin apps."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.policy.compiled import CompiledPolicy
from gateway.proxy.forward import UpstreamPool


class PolicyHolder:
    """The policy in force. Swapped atomically by reload; each request reads
    it once at its start and keeps that object to the end."""

    def __init__(self, policy: CompiledPolicy) -> None:
        self.current = policy


@dataclass
class GatewayState:
    policies: PolicyHolder
    pool: UpstreamPool = field(default_factory=UpstreamPool)
    worker_id: int = 0
    inflight: int = 0
    draining: bool = False
