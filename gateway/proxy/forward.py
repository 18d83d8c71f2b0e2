"""One pooled keep-alive ClientSession per upstream, kept in step with the policy."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from gateway.policy.compiled import CompiledPolicy, CompiledRoute, CompiledUpstream, Timeouts

# Headers aiohttp's client would add on its own; a proxy forwards what it got.
_SKIP_AUTO = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


@dataclass(slots=True)
class _Pooled:
    upstream: CompiledUpstream
    session: aiohttp.ClientSession


def _session_for(up: CompiledUpstream) -> aiohttp.ClientSession:
    # https:// upstreams: the policy's context (pinned CA, client certificate,
    # minimum version) or, without `tls:`, aiohttp's default (verified, system CAs).
    connector = aiohttp.TCPConnector(limit=up.max_connections, keepalive_timeout=up.keepalive,
                                     enable_cleanup_closed=False,
                                     ssl=up.tls.context if up.tls is not None else True)
    return aiohttp.ClientSession(
        connector=connector,
        auto_decompress=False,  # bodies pass through as the upstream encoded them
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=_SKIP_AUTO,
        trust_env=False,
        raise_for_status=False,
    )


@functools.lru_cache(maxsize=256)
def _client_timeout(t: Timeouts) -> aiohttp.ClientTimeout:
    # sock_connect bounds opening a new connection only; waiting for a pooled one
    # is bounded by `total`. (aiohttp's `connect` would arm a timer on every request.)
    return aiohttp.ClientTimeout(total=t.total, sock_connect=t.connect, sock_read=t.read)


def _same_pool(a: CompiledUpstream, b: CompiledUpstream) -> bool:
    return ((a.url, a.max_connections, a.keepalive, a.tls) ==
            (b.url, b.max_connections, b.keepalive, b.tls))


class UpstreamPool:
    def __init__(self) -> None:
        self._pools: dict[str, _Pooled] = {}
        self._retiring: dict[asyncio.Task[None], aiohttp.ClientSession] = {}

    async def sync(self, policy: CompiledPolicy, retire_after: float) -> None:
        """Open sessions for new or changed upstreams; close the old ones after
        `retire_after` seconds so in-flight requests finish on them."""
        old = self._pools
        new: dict[str, _Pooled] = {}
        for name, up in policy.upstreams.items():
            current = old.get(name)
            if current is not None and _same_pool(current.upstream, up):
                new[name] = _Pooled(up, current.session)
            else:
                new[name] = _Pooled(up, _session_for(up))
        kept = {id(p.session) for p in new.values()}
        self._pools = new
        for pooled in old.values():
            if id(pooled.session) not in kept:
                task = asyncio.create_task(self._retire(pooled.session, retire_after))
                self._retiring[task] = pooled.session
                task.add_done_callback(self._forget)

    @staticmethod
    async def _retire(session: aiohttp.ClientSession, delay: float) -> None:
        await asyncio.sleep(delay)
        await session.close()

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._retiring.pop(task, None)

    async def close(self) -> None:
        for task, session in list(self._retiring.items()):
            task.cancel()
            await session.close()
        for pooled in self._pools.values():
            await pooled.session.close()
        self._pools = {}

    def request(self, route: CompiledRoute, method: str, target: str,
                headers: CIMultiDict[str], body: bytes | AsyncIterator[bytes] | None
                ) -> aiohttp.client._RequestContextManager:
        pooled = self._pools[route.upstream.name]
        timeout = _client_timeout(route.timeouts)
        url = URL(route.upstream.url + target, encoded=True)
        tls = route.upstream.tls
        return pooled.session.request(method, url, headers=headers, data=body,
                                      allow_redirects=False, timeout=timeout,
                                      compress=False,
                                      server_hostname=tls.server_name if tls else None)
