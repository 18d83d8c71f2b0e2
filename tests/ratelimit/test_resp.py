"""Commands packed in C are the bytes redis-py's own packer sends, and the
stores' connections use it (on one Redis and on every cluster node)."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import Connection, SSLConnection
from redis.exceptions import DataError

from gateway.ratelimit.cluster_store import RedisClusterStore
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.resp import PackedConnection, PackedSSLConnection, faster, pack
from gateway.ratelimit.store import Bucket, Op
from tests.conftest import RedisClusterProcesses, RedisProcess

COMMANDS = [
    ("EVALSHA", "a" * 40, 3, "pgw:rl:{9f86d081884c7d65}:per-ip", "pgw:pen:{9f86d081884c7d65}",
     "pgw:en:{9f86d081884c7d65}:lending-api", b'[1,2,0,"1000000.0",1000,0]'),
    ("SET", "pgw:pen:{x}", "ban|enumeration:ip", "PX", 600000),
    ("SCRIPT LOAD", "return redis.call('TIME')"),
    (b"CLIENT SETNAME", "pii-gateway"),
    ("HSET", "键", "张三", "值", b"\x00\xff\r\n", bytearray(b"raw"), memoryview(b"view")),
    ("X", 0, -1, 2**63 - 1, 2**70, 1.5, 0.1, 1e-7, 1e20, float("inf"), ""),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: str(a[0]))
def test_the_same_bytes_as_redis_py(args: tuple[object, ...]) -> None:
    own = b"".join(Connection.pack_command(Connection(), *args))  # type: ignore[arg-type]
    assert b"".join(pack(args)) == own


def test_what_redis_py_refuses_is_refused_alike() -> None:
    with pytest.raises(DataError):
        Connection().pack_command("SET", "k", True)
    with pytest.raises(DataError):
        pack(("SET", "k", True))
    with pytest.raises(DataError):
        pack(("SET", "k", None))


def test_each_connection_class_has_its_twin() -> None:
    assert faster(Connection) is PackedConnection
    assert faster(SSLConnection) is PackedSSLConnection
    assert faster(PackedConnection) is PackedConnection


async def test_the_stores_send_packed_in_c(redis_server: RedisProcess,
                                           redis_cluster: RedisClusterProcesses) -> None:
    bucket = Bucket("pgw:rl:{c}:r", 10.0, 5)
    ops = [Op("distinct", "pgw:en:{c}:r", 60, ("1",))]
    one = RedisStore(redis_server.url, timeout=2.0)
    cluster = RedisClusterStore(redis_cluster.url, timeout=2.0)
    try:
        for store in (one, cluster):
            await store.redis.flushdb()
            verdict = await store.decide([bucket], ["pgw:pen:{c}"], ops)
            assert verdict.allowed and verdict.observed == (1,)
        pool = one.redis.connection_pool  # type: ignore[union-attr]
        assert pool.connection_class is PackedConnection
        nodes = cluster.redis.nodes_manager.nodes_cache.values()  # type: ignore[union-attr]
        assert len(nodes) >= 3
        assert all(node.connection_class is PackedConnection for node in nodes)
        used = [c for node in nodes for c in node._connections]
        assert used and all(isinstance(c, PackedConnection) for c in used)
    finally:
        for store in (one, cluster):
            await store.redis.flushdb()
            await store.close()
