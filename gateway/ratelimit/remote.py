"""A request's decision on Redis, made from the client's plan in one call.

On Redis (on Redis Cluster when the client's keys share one hash slot,
`RedisStore.one_call`), a request without a query string is decided as the
memory store's are (`admission.py`), with the round trip in the middle: `script`
makes the decision's keys and arguments (the ids its path names, their keyed
digests, the run's value, the client's buckets and penalty keys), the stage
queues them on the store's coalescer, and `answered` reads the reply into
the same (verdict, checks, fired, tightest) that `admission.admit` answers.
On Redis Cluster, a client whose keys span slots makes a call per slot
group (`slots.py`), and `decided` reads their replies into the one answer.
It is the stage's general path (`_enumeration`, `_limit`, the store's
`decide`) without its layers: no `Op`s, no breaker wrapper or lambdas, no
`split`. The native core's `RemoteDecisions` does these steps in C, with the
keys and arguments that never change built once per client plan
(tests/ratelimit/test_remote.py holds the two to this module, and this
module to the general path, on a real Redis).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.native import core
from gateway.ratelimit.admission import Admitted, ClientLimits, admitted, fired
from gateway.ratelimit.checks import Check
from gateway.ratelimit.ids import enumeration_ops, path_ids
from gateway.ratelimit.redis_store import decision, verdict_of
from gateway.ratelimit.slots import SlotGroup
from gateway.ratelimit.slots import decided as put_together
from gateway.ratelimit.store import DAY_OFFSET, Verdict

# the decision's keys and arguments (as redis_store.decision makes them), and
# the checks of its enumeration results: (), c.ids_checks or c.run_checks
Script = tuple[list[str], list[Any], tuple[Check, ...]]


def script(c: ClientLimits, path: str) -> Script | None:
    """The decision of a request to `path` (no query string). The core's
    answers None where it hands the path back (not ASCII); this never does."""
    ids = path_ids(path) if c.path_ids and c.enumeration else []
    if not ids:
        return (*decision(c.buckets, c.penalty_keys, ()), ())
    assert c.digest is not None
    ops, ran = enumeration_ops(ids, c.digest.of, c.window, c.enumeration, c.run_offset)
    return (*decision(c.buckets, c.penalty_keys, ops), c.run_checks if ran else c.ids_checks)


def answered(reply: list[Any], c: ClientLimits, checks: tuple[Check, ...]) -> Admitted:
    """The reply of `script`'s decision, as `admission.admit` answers."""
    verdict = verdict_of(reply)
    return admitted(verdict, checks,
                    fired(c, verdict.observed, checks is c.run_checks) if checks else -1)


def decided(replies: list[list[Any]], groups: tuple[SlotGroup, ...],
            checks: tuple[tuple[Check, ...], ...], whole: ClientLimits) -> Admitted:
    """The replies of a client's slot group calls (`script` of each group,
    whose checks are `checks`), as the client's one call would answer
    (`whole`: the client's ClientLimits)."""
    return put_together(groups, [answered(reply, g.limits, c) for reply, g, c
                                 in zip(replies, groups, checks, strict=True)], whole)


Scripts = Callable[[ClientLimits, str], Script | None]
Answers = Callable[[list[Any], ClientLimits, tuple[Check, ...]], Admitted]
Decided = Callable[[list[list[Any]], tuple[SlotGroup, ...], tuple[tuple[Check, ...], ...],
                    ClientLimits], Admitted]


def chosen() -> tuple[Scripts, Answers, Decided]:
    """The core's when it is used, else this module's."""
    if core is not None:
        made = core.RemoteDecisions(Verdict, DAY_OFFSET)
        return made.script, made.answered, made.decided
    return script, answered, decided
