"""The Redis Cluster store: the Redis store's scripts, one call per hash slot.

Every key carries its client dimension's hash tag (`pgw:rl:{<tag>}:<rule>`,
`pgw:pen:{<tag>}`, `pgw:ex:{<tag>}:...`), so the keys of one dimension live in
one slot. A decision that touches several dimensions (subject, device,
address) runs the decision script once per slot group, in parallel: one round
trip of latency. The slot groups of the decisions made in one event-loop tick
share their slot's call, and the calls to one master go in one write on the
gateway's own connection to it (`coalesce.py`, `line.py`). Buckets stay all-or-nothing: when one
group denies, the groups that admitted are refunded (a second call, on the
denial path only). A penalty counts in every group (a ban anywhere denies); a
throttle slows the buckets of the dimension it was put on, an address's and
its network's together (their keys share the network's tag: one slot group;
on one Redis, all the client's buckets).
`rate_limits.store: redis+cluster://host:port` (any node; the rest are
discovered).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Hashable, Sequence
from typing import Any

from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import Connection
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    RedisClusterException,
    RedisError,
    TryAgainError,
)

from gateway.ratelimit.breaker import budget
from gateway.ratelimit.coalesce import Call, Coalescer
from gateway.ratelimit.line import Line
from gateway.ratelimit.lua import DECIDE
from gateway.ratelimit.redis_store import (
    RedisStore,
    backstop,
    decision,
    evalsha,
    exchange,
    no_retry,
    verdict_of,
)
from gateway.ratelimit.resp import faster
from gateway.ratelimit.slots import combine, slot_of
from gateway.ratelimit.store import DAY_OFFSET, Bucket, Op, Verdict

SCHEME = "redis+cluster://"
# Connections per cluster node and gateway process (redis-py defaults to 100).
MAX_CONNECTIONS = 10_000
# Undo one admission of each bucket (the decision charged them; another slot
# group denied): TAT back by one interval, the day's quota count back by one.
_REFUND = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local day = math.floor((now + tonumber(ARGV[1])) / 86400)
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 * i])
  local quota = tonumber(ARGV[2 * i + 1])
  local tat = redis.call('GET', KEYS[i])
  if tat then
    local back = tonumber(tat) - 1 / rate
    if back <= now then redis.call('DEL', KEYS[i])
    else redis.call('SET', KEYS[i], string.format('%.17g', back),
                    'PX', math.ceil((back - now + 1) * 1000)) end
  end
  if quota > 0 then
    local q = KEYS[i] .. ':q' .. day
    if tonumber(redis.call('GET', q) or 0) > 0 then redis.call('DECR', q) end
  end
end
return 1
"""
_REDIRECTED = (MovedError, AskError, TryAgainError)  # sent again through redis-py


def cluster_url(url: str) -> str:
    """The redis:// URL of one node for redis-py (`redis+cluster://h:p` -> `redis://h:p`)."""
    return "redis://" + url[len(SCHEME):]


class _Group:
    """The buckets, penalty keys and ops of one hash slot, with their places in
    the whole request."""

    def __init__(self) -> None:
        self.buckets: list[tuple[int, Bucket]] = []
        self.penalties: list[tuple[int, str]] = []
        self.ops: list[tuple[int, Op]] = []


_SLOTS: dict[str, int] = {}
_SLOTS_MOST = 50_000  # keys remembered (a client's come back every request); then forgotten


def _slot(key: str) -> int:
    slot = _SLOTS.get(key)
    if slot is None:
        if len(_SLOTS) >= _SLOTS_MOST:
            _SLOTS.clear()
        slot = _SLOTS[key] = slot_of(key)
    return slot


def _pack_in_c(cluster: RedisCluster) -> None:
    """Every node's connections pack commands in C (`resp.py`): the nodes
    known now, and those the slot map will bring (redis-py makes them from
    the cluster's connection arguments; a test checks they do)."""
    manager = cluster.nodes_manager
    for owner in (cluster, manager):  # both hold the arguments in redis-py 8
        kwargs = getattr(owner, "connection_kwargs", None)
        if isinstance(kwargs, dict):
            kwargs["connection_class"] = faster(kwargs.get("connection_class", Connection))
    for node in (*manager.startup_nodes.values(), *manager.nodes_cache.values()):
        node.connection_class = faster(node.connection_class)


class RedisClusterStore(RedisStore):
    """Penalties, listing and lifting as on one Redis (single-key commands)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        # redis-py's cluster client allows 100 connections per node and refuses
        # (MaxConnectionsError, no waiting) beyond: a burst of concurrent
        # decisions (which went through it then; refunds and penalties still
        # do) looked like a dead store and fell back to local buckets. One
        # Redis's pool has no such cap; the gateway's own connection limits
        # bound the concurrency.
        self.cluster = self.redis = RedisCluster.from_url(
            cluster_url(url), socket_timeout=backstop(timeout),
            socket_connect_timeout=backstop(timeout), decode_responses=True, retry=no_retry(),
            max_connections=MAX_CONNECTIONS)
        _pack_in_c(self.redis)
        self._decide = self.redis.register_script(DECIDE)
        self._refund = self.redis.register_script(_REFUND)
        self._decisions = Coalescer(self._send_decisions, timeout)
        self._lines = {}  # a line to each master, made on its first decisions
        self._rereading: asyncio.Future[None] | None = None
        self._ready = False
        self._starting = asyncio.Lock()

    async def _start(self) -> None:
        """Read the slot map once before the first commands: redis-py refreshes
        its topology on first use, and a refresh under many first commands at
        once broke connections in the middle of their handshake (seen with 100
        concurrent clients on three gateways)."""
        async with asyncio.timeout(budget(self.timeout)), self._starting:
            if not self._ready:
                await self.redis.initialize()
                self._ready = True

    async def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
                     ops: Sequence[Op] = ()) -> Verdict:
        if not self._ready:
            await self._start()
        slots = {*(_slot(b.key) for b in buckets), *(_slot(k) for k in penalty_keys),
                 *(_slot(op.key) for op in ops)}
        if len(slots) == 1:  # one slot group (a client without subject or device): one call
            return await self._decide_in(slots.pop(), buckets, penalty_keys, ops)
        groups: dict[int, _Group] = {}
        for i, b in enumerate(buckets):
            groups.setdefault(_slot(b.key), _Group()).buckets.append((i, b))
        for i, key in enumerate(penalty_keys):
            groups.setdefault(_slot(key), _Group()).penalties.append((i, key))
        for i, op in enumerate(ops):
            groups.setdefault(_slot(op.key), _Group()).ops.append((i, op))
        parts = list(groups.values())
        asked = [self._decisions.submit(self._lane(slot), slot, keys, args)
                 for slot, keys, args in map(self._group_decision, parts)]
        outs = [await asked[0]] if len(asked) == 1 else await asyncio.gather(*asked)
        return await self._combine(parts, outs, len(buckets), len(ops))

    def one_call(self, slot: int) -> bool:
        """Keys in one slot (a client without subject or device), once the
        slot map is read; keys in several go through `decide`, which splits
        them into slot groups and refunds."""
        return slot >= 0 and self._ready

    def submit(self, slot: int, keys: list[str], args: list[Any]) -> asyncio.Future[list[Any]]:
        return self._decisions.submit(self._lane(slot), slot, keys, args)

    def _lane(self, slot: int) -> Hashable:
        """A slot's master: its slots' decisions queue together and go in one
        write (a cluster's clients are in many slots)."""
        return self.cluster.nodes_manager.get_node_from_slot(slot).name

    async def _send_decisions(self, lane: Hashable, calls: list[Call]) -> list[Any]:
        """One write to the master `lane` names, on a line of its own (given
        no node, redis-py finds a slot again from every key of a call, and
        makes a connection per concurrent call). A call answered MOVED or ASK
        (its slot moving) or TRYAGAIN goes again through redis-py, which
        follows the redirect and updates its slot map; when the line fails or
        a call is answered CLUSTERDOWN, the slot map is read again for the
        next decisions."""
        node = self.cluster.get_node(node_name=str(lane))
        if node is None:  # gone from the slot map while the calls queued
            return [await self._by_client(call) for call in calls]
        line = self._lines.get(node.name) or await self._line_to(node)
        try:
            replies = await exchange(line, self._decide.sha, calls)
        except (RedisError, OSError, TimeoutError):
            self._reread_slots(node.name)
            raise
        if any(isinstance(r, ClusterDownError) for r in replies):
            self._reread_slots(node.name)  # its error stands: the breaker decides
        redirected = [i for i, r in enumerate(replies) if isinstance(r, _REDIRECTED)]
        if redirected:  # together: each may wait on redis-py's rereading of the map
            again = await asyncio.gather(*(self._by_client(calls[i]) for i in redirected))
            for i, reply in zip(redirected, again, strict=True):
                replies[i] = reply
        return replies

    async def _by_client(self, call: Call) -> Any:
        """A call through redis-py to its slot's master: its reply or error."""
        slot, keys, args = call
        try:
            node = self.cluster.nodes_manager.get_node_from_slot(slot)

            async def on_node(*command: Any) -> Any:
                return await self.cluster.execute_command(*command, target_nodes=node)

            return await evalsha(on_node, lambda: self.cluster.script_load(DECIDE),
                                 self._decide.sha, keys, args)
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:
            return exc

    async def _line_to(self, node: ClusterNode) -> Line:
        """A new master's line; those to nodes gone from the slot map close."""
        known = self.cluster.nodes_manager.nodes_cache
        for name in [n for n in self._lines if n not in known]:
            await self._lines.pop(name).close()
        line = self._lines[node.name] = Line(node, backstop(self.timeout))
        return line

    def _reread_slots(self, failed: str) -> None:
        """The slot map read again, in the background, once at a time (a
        master that failed may have been replaced)."""
        if self._rereading is None or self._rereading.done():
            self._rereading = asyncio.ensure_future(self._reread(failed))

    async def close(self) -> None:
        """As one Redis's, after a slot map reading still under way is stopped
        (it would run on a closed client)."""
        if self._rereading is not None and not self._rereading.done():
            self._rereading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rereading
        await super().close()

    async def _reread(self, failed: str) -> None:
        # failing, the next failure tries again; the breaker decides meanwhile
        with contextlib.suppress(RedisError, RedisClusterException, OSError):
            await self.cluster.nodes_manager.initialize(last_failed_node_name=failed)

    @staticmethod
    def _group_decision(group: _Group) -> tuple[int, list[str], list[Any]]:
        keys, args = decision([b for _, b in group.buckets], [k for _, k in group.penalties],
                              [op for _, op in group.ops])
        return _slot(keys[0]), keys, args

    async def _combine(self, parts: list[_Group], outs: list[list[Any]], n_buckets: int,
                       n_ops: int) -> Verdict:
        verdicts = [verdict_of(out) for out in outs]
        verdict = combine(verdicts, [[i for i, _ in g.buckets] for g in parts],
                          [[i for i, _ in g.ops] for g in parts],
                          [min((i for i, _ in g.penalties), default=0) for g in parts],
                          n_buckets, n_ops)
        if not verdict.allowed:
            await self.refund([[b for _, b in g.buckets]
                               for g, v in zip(parts, verdicts, strict=True) if v.allowed])
        return verdict

    async def refund(self, admitted: Sequence[Sequence[Bucket]]) -> None:
        """Undo one admission of each of these buckets (slot groups that
        admitted a request another group refused: `slots.py`), a call per
        group; the denial path only."""
        calls = []
        for buckets in admitted:
            if buckets:
                args: list[Any] = [DAY_OFFSET]
                for b in buckets:
                    args += [repr(b.rate), b.quota]
                calls.append(self._refund(keys=[b.key for b in buckets], args=args))
        if calls:
            async with asyncio.timeout(budget(self.timeout)):
                await asyncio.gather(*calls)
