"""The Redis store: every decision runs in a Lua script (`lua.py`), many
decisions in one call (`coalesce.py`).

Keys of one client dimension share a hash tag (`pgw:rl:{<hmac>}:<rule>`). A
decision touches the keys of all the client's dimensions in one script, so
this store needs one Redis (or a Sentinel primary); `cluster_store.py` runs
the same script per hash slot on Redis Cluster. The request's detector
updates ride along with its decision; updates on their own (a response's
probing counts, batched per tick by `batcher.py`) are a decision without
buckets or penalty keys, so they share a call with the decisions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

from gateway.ratelimit.coalesce import Call, Coalescer
from gateway.ratelimit.line import Line
from gateway.ratelimit.lua import DECIDE, packed
from gateway.ratelimit.resp import faster
from gateway.ratelimit.store import DAY_OFFSET, Bucket, Observed, Op, Penalty, Verdict

T = TypeVar("T")


def no_retry() -> Retry:
    """No retries inside redis-py: a decision script that timed out may have run,
    and running it again would charge the client twice; the breaker decides
    what happens after a failure."""
    return Retry(NoBackoff(), 0)


async def again(command: Callable[[], Awaitable[T]]) -> T:
    """`command()`, once more after a connection error: for the commands beside
    the decision script (set, list and lift penalties; a `SET` or `DEL` sent
    again does what it did, and a lift that had landed answers "not found").
    Their connections sit idle between penalties, and a restart, Redis's
    `timeout` or a middlebox closes them behind the client's back: the first
    command on one failed, and a ban meant for every replica landed on one
    replica's local fallback (a 503 on a sensitive route). A timeout is not
    sent again (the breaker's budget)."""
    try:
        return await command()
    except RedisConnectionError:
        return await command()


_KIND = {"distinct": "d", "count": "c", "add": "a"}  # as lua.DECIDE names them


def _op_args(ops: Sequence[Op]) -> list[Any]:
    args: list[Any] = []
    for op in ops:
        if op.kind == "run":
            args += ["r", op.window, 1, str(op.value)]  # any length: JSON numbers are not
        else:
            args += [_KIND[op.kind], op.window, len(op.members), *op.members]
    return args


def _results(out: list[Any]) -> tuple[Observed, ...]:
    return tuple(int(r) if not isinstance(r, list)
                 else {r[i]: int(r[i + 1]) for i in range(0, len(r), 2)} for r in out)


def split(out: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """A decision's reply (`lua.DECIDE`): its head (allowed, retry, denied,
    penalty, penalty_ttl, quota), its ops' results and, admitted, each
    bucket's remaining. A reply that is not one (shorter than its head, or
    naming results it does not hold) is an error, not a wrong answer."""
    if len(out) < 7:
        raise ValueError("a decision's reply is shorter than its head")
    end = 7 + int(out[6])
    if not 7 <= end <= len(out):
        raise ValueError("a decision's reply names more results than it holds")
    return out[:6], out[7:end], out[end:]


def verdict_of(out: list[Any]) -> Verdict:
    """A decision's reply as a Verdict."""
    (allowed, retry, denied, penalty, penalty_ttl, quota), seen, remaining = split(out)
    return Verdict(bool(int(allowed)), float(retry), tuple(int(r) for r in remaining),
                   int(denied), penalty or "", float(penalty_ttl), bool(int(quota)),
                   _results(seen))


def decision(buckets: Sequence[Bucket], penalty_keys: Sequence[str],
             ops: Sequence[Op]) -> tuple[list[str], list[Any]]:
    """The keys and arguments of one decision, as `lua.DECIDE` reads them."""
    args: list[Any] = [len(buckets), len(penalty_keys), DAY_OFFSET]
    for b in buckets:
        args += [repr(b.rate), b.burst, b.quota]
    return ([*(b.key for b in buckets), *penalty_keys, *(op.key for op in ops)],
            args + _op_args(ops))


async def evalsha(call: Callable[..., Awaitable[Any]], load: Callable[[], Awaitable[Any]],
                  sha: str, keys: list[str], args: list[Any]) -> list[Any]:
    """`call(EVALSHA ...)` of the decision script; after `load()` once more when
    Redis does not know it (restarted, scripts flushed, a new master)."""
    command = ("EVALSHA", sha, len(keys), *keys, *packed(args))
    try:
        out: list[Any] = await call(*command)
    except NoScriptError:
        await load()
        out = await call(*command)
    return out


async def exchange(line: Line, sha: str, calls: list[Call]) -> list[Any]:
    """The decision script's `calls` in one write over `line`: per call its
    replies or its error. Calls Redis did not know the script for
    (restarted, scripts flushed, a new master) go once more after it is
    loaded over the same line (a pool's idle connection may be stale)."""
    commands = [("EVALSHA", sha, len(keys), *keys, *packed(args)) for _, keys, args in calls]
    replies = await line.calls(commands)
    unknown = [i for i, r in enumerate(replies) if isinstance(r, NoScriptError)]
    if unknown:
        await line.call("SCRIPT", "LOAD", DECIDE)
        resent = await line.calls([commands[i] for i in unknown])
        for i, reply in zip(unknown, resent, strict=True):
            replies[i] = reply
    return replies


def backstop(timeout: float) -> float:
    """redis-py's own socket timeouts: well past the breaker's deadline
    (`timeout` plus the event loop's recent lag), which bounds each decision;
    at `timeout` itself they fired on a busy loop while Redis was prompt."""
    return max(1.0, 10 * timeout)


class RedisStore:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        redis = Redis.from_url(
            url, socket_timeout=backstop(timeout), socket_connect_timeout=backstop(timeout),
            decode_responses=True, retry=no_retry())
        pool = redis.connection_pool
        pool.connection_class = faster(pool.connection_class)  # commands packed in C
        self.redis: Redis | RedisCluster = redis
        self._decide = self.redis.register_script(DECIDE)
        self._decisions = Coalescer(self._send_decisions, timeout)
        self._lines: dict[Hashable, Line] = {0: Line(pool, backstop(timeout))}  # the script's own

    async def _send_decisions(self, lane: Hashable, calls: list[Call]) -> list[Any]:
        return await exchange(self._lines[lane], self._decide.sha, calls)

    def _lane(self, slot: int) -> Hashable:
        """Where a slot's decisions queue: one Redis, one lane."""
        return 0

    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        return await self._decide_in(0, buckets, penalty_keys, ops)

    async def _decide_in(self, slot: int, buckets: Sequence[Bucket],
                         penalty_keys: Sequence[str], ops: Sequence[Op]) -> Verdict:
        """One decision whose keys are all in `slot`, as one script decides it."""
        return verdict_of(await self._decisions.call(self._lane(slot), slot,
                                                     *decision(buckets, penalty_keys, ops)))

    def one_call(self, slot: int) -> bool:
        """Whether a decision whose keys share `slot` (-1: they span several)
        can go as one script call made already (`remote.py`, `submit`): on
        one Redis always."""
        return True

    def submit(self, slot: int, keys: list[str], args: list[Any]) -> asyncio.Future[list[Any]]:
        """The reply of one decision whose keys and arguments are made
        already (`remote.script`), as a future: queued with the others of
        this tick (on one Redis all in one call, whatever their slots)."""
        return self._decisions.submit(0, 0, keys, args)

    async def observe(self, ops: Sequence[Op]) -> list[Observed]:
        """A decision without buckets or penalty keys: it admits, and shares a
        script call with the decisions queued beside it."""
        if not ops:
            return []
        return list((await self.decide((), (), ops)).observed)

    async def penalize(self, key: str, action: str, reason: str, seconds: float) -> None:
        value, px = f"{action}|{reason}", max(1, int(seconds * 1000))
        await again(lambda: self.redis.set(key, value, px=px))

    async def penalties(self) -> list[Penalty]:
        return await again(self._penalties)

    async def _penalties(self) -> list[Penalty]:
        found = []
        async for key in self.redis.scan_iter(match="pgw:pen:*", count=500):
            value, ttl = await self.redis.get(key), await self.redis.pttl(key)
            if isinstance(value, str) and ttl > 0:
                action, _, reason = value.partition("|")
                found.append(Penalty(key, action.partition(":")[0], reason, round(ttl / 1000, 1)))
        return found

    async def lift(self, key: str) -> bool:
        return bool(await again(lambda: self.redis.delete(key)))

    async def close(self) -> None:
        await self._decisions.drain()
        for line in self._lines.values():
            await line.close()
        await self.redis.aclose()
