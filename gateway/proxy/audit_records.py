"""The audit records one finished request produces (never values)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from gateway.audit import events
from gateway.audit.reveals import Shown
from gateway.errors import FieldBlocked, HoneytokenServed, InspectionError
from gateway.exchange import DetectorFiring, Exchange

Fields = Callable[[Shown], Any]


def request_records(ex: Exchange, fields: Fields) -> Iterator[dict[str, Any]]:
    """`fields([((field, entity), values), ...])`: a reveal record's `fields`,
    one entry per field with the keyed digests of its values
    (`AuditWriter.reveal_fields`)."""
    base = {"request_id": ex.request_id, "trace_id": ex.trace_id,
            "route": ex.route.name if ex.route else None, "method": ex.method,
            "role": ex.caller.role, "caller": ex.caller.digest, "client": ex.caller.ip,
            "client_cert": ex.caller.certificate,
            "policy_version": ex.policy.version}
    err = ex.error
    if ex.reveals and err is None:  # one record per response, one entry per field
        # (a response refused after inspection, e.g. by the exposure budget, showed nothing)
        yield {"event": events.REVEALED, **base, "fields": fields(list(ex.reveals.items()))}
    if isinstance(err, FieldBlocked):
        yield {"event": events.BLOCKED, **base, "direction": err.direction, "field": err.path,
               "entity": err.entity, "status": err.status}
    elif isinstance(err, InspectionError):
        yield {"event": events.REJECTED, **base, "code": err.code, "status": err.status}
    elif isinstance(err, HoneytokenServed):
        yield {"event": events.HONEYTOKEN, **base, "entity": ex.honeytoken}
    for direction, counts in ex.pii.items():
        for (entity, operator), n in counts.items():
            if operator == "decrypt_failed":
                yield {"event": events.DECRYPT_FAILED, **base, "direction": direction,
                       "entity": entity, "count": n}
    # Detector firings (which set bans and penalties); not every refused or
    # banned request, which would let a flood write the trail for the attacker.
    for event in ex.limits:
        if isinstance(event, DetectorFiring):
            yield {"event": events.LIMITER, **base, **event.as_log()}
