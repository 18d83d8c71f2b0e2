"""The store that outlives reloads: process state, one per store URL, so a
reload does not reset the counters; closed when the policy stops using it
(after a delay, so the calls still on it finish)."""

from __future__ import annotations

from gateway.obs.metrics import RATELIMIT_DEGRADED
from gateway.ratelimit.batcher import Batcher
from gateway.ratelimit.breaker import Breaker, StoreUnavailable
from gateway.ratelimit.cluster_store import SCHEME, RedisClusterStore
from gateway.ratelimit.limits import Limits
from gateway.ratelimit.memory import MemoryStore
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.store import LimitStore, Observed, Op
from gateway.retiring import Retiring


def _count_degraded(kind: str) -> None:
    RATELIMIT_DEGRADED.labels(kind=kind).inc()


class StoreHolder:
    """The process's store for the policy in force, with its breaker and a
    local fallback (used while Redis is unavailable)."""

    def __init__(self) -> None:
        self.url: str | None = None
        self._settings: tuple[float, int, float] | None = None  # Redis's, the store made with
        self.store: LimitStore = MemoryStore()
        self.fallback = MemoryStore()
        self.breaker: Breaker | None = None
        self.share = 1.0  # of each limit the local fallback grants
        self._retired: list[LimitStore] = []  # replaced; closed with the holder
        self._retiring = Retiring("rate-limit store")  # replaced; closed after a delay
        # detector updates that need no answer before the response: one call per tick
        self.batcher = Batcher(self._observe)

    @property
    def local(self) -> MemoryStore | None:
        """The store, when it is in this process (no breaker: memory)."""
        store = self.store  # isinstance, not cast: a cast is a Python call
        return store if self.breaker is None and isinstance(store, MemoryStore) else None

    @property
    def remote(self) -> RedisStore | None:
        """The store, when it is Redis (or Redis Cluster) and its breaker is
        closed: a request's decision may go to it as one script call
        (ratelimit/remote.py, `RedisStore.one_call`)."""
        breaker, store = self.breaker, self.store
        if breaker is None or breaker.open or not isinstance(store, RedisStore):
            return None
        return store

    async def _observe(self, ops: list[Op]) -> list[Observed]:
        """Through the breaker, or on the local fallback while Redis is away."""
        breaker, store = self.breaker, self.store
        if breaker is None:
            return await store.observe(ops)
        try:
            return await breaker.call(lambda: store.observe(ops), bounded=True)
        except StoreUnavailable:
            breaker.note_degraded("observe")
            return await self.fallback.observe(ops)

    def sync(self, limits: Limits | None, retire_after: float | None = None) -> None:
        """Take the policy's limits; a store they no longer use is closed
        `retire_after` seconds later (None: with the holder)."""
        if limits is not None:
            self.share = limits.fallback_share
        url = limits.store_url if limits is not None else None
        # Redis's timeout and breaker come with the store: a reload that
        # changes them on the same URL gets a store and breaker made with them
        settings = None if limits is None else (
            limits.redis_timeout, limits.redis_failures, limits.redis_reset)
        if url == self.url and (url in (None, "memory") or settings == self._settings):
            return
        self._retire(self.store, retire_after)
        self.url, self._settings = url, settings
        if url is None or url == "memory":
            self.store, self.breaker = MemoryStore(), None
        else:
            assert limits is not None
            self.store = (RedisClusterStore(url, limits.redis_timeout) if url.startswith(SCHEME)
                          else RedisStore(url, limits.redis_timeout))
            self.breaker = Breaker(limits.redis_timeout, limits.redis_failures,
                                   limits.redis_reset, on_degraded=_count_degraded)

    def _retire(self, store: LimitStore, after: float | None) -> None:
        if after is None:
            self._retired.append(store)
        else:
            self._retiring.add(store, after)

    async def close(self) -> None:
        await self.batcher.drain()  # no count is lost at shutdown
        await self._retiring.close()
        for store in (*self._retired, self.store):
            await store.close()
        self._retired.clear()

