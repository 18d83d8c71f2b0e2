"""What the gateway inspects in one direction of one exchange.

An `Inspection` is made once per direction, after the caller's role is known
(the limiter may have made it stricter): it owns the rule plan for (route,
method, direction, role), the body rules every inspection path reads, and the
child-process job, made only when a body is large enough to need one. It
records what it found on the exchange.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from multidict import CIMultiDict

from gateway.exchange import Exchange
from gateway.policy.compiled import CompiledRoute
from gateway.protect.engine import REVEALS, Collect
from gateway.protect.offload import Job, ProcessInspector
from gateway.protect.pipeline import (
    BodyRules,
    inspect_body,
    inspect_headers,
    inspect_query,
    inspect_response_headers,
)
from gateway.protect.rules import RulePlan


@dataclass(slots=True)
class Inspection:
    ex: Exchange
    route: CompiledRoute
    method: str
    direction: str
    inspector: ProcessInspector
    plan: RulePlan

    @classmethod
    def of(cls, ex: Exchange, route: CompiledRoute, method: str, direction: str,
           inspector: ProcessInspector) -> Inspection:
        plan = ex.policy.protection.plan(route.name, method, direction, ex.caller.role)
        return cls(ex, route, method, direction, inspector, plan)

    def query(self, query: str) -> str:
        """The query string with personal data protected (requests)."""
        protected, outcome = inspect_query(query, self.plan, self.ex.policy.detector)
        self.ex.record(self.direction, outcome.counts)
        return protected

    def headers(self, headers: CIMultiDict[str]) -> None:
        """The selected headers and cookies, and on responses the headers that
        carry data out (Location, Set-Cookie, ...), protected in place."""
        protection = self.ex.policy.protection
        if self.direction == "response":
            found = inspect_response_headers(headers, self.plan, self.ex.policy.detector)
            if found is not None:
                self.ex.record(self.direction, found.counts)
        request = self.direction == "request"
        cookies = protection.cookie_names if request else frozenset()
        if not protection.header_names and not (request and "Cookie" in headers):
            return
        outcome = inspect_headers(headers, protection.header_names, cookies, self.plan,
                                  self.ex.policy.detector, self.direction)
        if outcome is not None:
            self.ex.record(self.direction, outcome.counts)

    async def body(self, body: bytes, content_type: str | None, encoding: str | None
                   ) -> tuple[bytes, bool]:
        """The body to send on, and whether it was rewritten as identity. On
        responses, the values shown in full land in `ex.reveals` (for the
        audit trail and the exposure budget)."""
        ex, route, policy = self.ex, self.route, self.ex.policy
        limits = policy.limits
        collect: Collect = False
        if self.direction == "response":
            if policy.honeytokens is not None:  # looked up among all the values found
                collect = True
            elif (limits is not None and limits.exposure is not None) or policy.audit is not None:
                collect = REVEALS  # what the response shows in full
        rules = BodyRules(self.plan, policy.detector, self.direction, route.name,
                          route.max_body_bytes, route.on_error == "passthrough",
                          policy.protection.file_types, collect,
                          policy.keys.usage if policy.keys is not None else None)

        def offload() -> tuple[ProcessInspector, Job]:
            return self.inspector, Job(policy.source, policy.version, route.name, self.method,
                                       self.direction, ex.caller.role, body, content_type,
                                       encoding, route.max_body_bytes, collect)

        began = time.perf_counter()
        ex.body_bytes[self.direction] = len(body)
        inspected = await inspect_body(body, content_type, encoding, rules, offload)
        ex.inspect_seconds[self.direction] = time.perf_counter() - began
        if inspected.outcome is None:
            return inspected.body, inspected.decoded
        outcome = inspected.outcome
        ex.record(self.direction, outcome.counts)
        if outcome.reveals:
            ex.reveals = outcome.reveals
        if policy.honeytokens is not None and outcome.values:  # masked or not, it was served
            ex.honeytoken = policy.honeytokens.served(outcome.values)
        return inspected.body, inspected.decoded
