"""One connection pool per upstream (gateway/upstream/), kept in step with the policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

from multidict import CIMultiDict

from gateway.policy.compiled import CompiledPolicy, CompiledRoute, CompiledUpstream
from gateway.retiring import Retiring
from gateway.upstream.pool import Call, Pool


def _same_pool(a: CompiledUpstream, b: CompiledUpstream) -> bool:
    return ((a.url, a.max_connections, a.keepalive, a.tls) ==
            (b.url, b.max_connections, b.keepalive, b.tls))


class UpstreamPool:
    def __init__(self) -> None:
        self._pools: dict[str, Pool] = {}
        self._retiring = Retiring("upstream pool")

    async def sync(self, policy: CompiledPolicy, retire_after: float) -> None:
        """Open pools for new or changed upstreams; close the old ones after
        `retire_after` seconds so in-flight requests finish on them."""
        old = self._pools
        new: dict[str, Pool] = {}
        for name, up in policy.upstreams.items():
            current = old.get(name)
            new[name] = (current if current is not None and _same_pool(current.upstream, up)
                         else Pool(up))
        kept = {id(pool) for pool in new.values()}
        self._pools = new
        for pool in old.values():
            if id(pool) not in kept:
                self._retiring.add(pool, retire_after)

    async def close(self) -> None:
        await self._retiring.close()
        for pool in self._pools.values():
            await pool.close()
        self._pools = {}

    def request(self, route: CompiledRoute, method: str, target: str,
                headers: CIMultiDict[str], body: bytes | AsyncIterator[bytes] | None) -> Call:
        return self._pools[route.upstream.name].request(method, target, headers, body,
                                                        route.timeouts)
