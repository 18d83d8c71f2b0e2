"""One Redis exchange at a time: redis-py's client, a redis-py `Connection`
used directly, the same as the gateway's line used it until 2026-12-04
(under a lock, a probe for a closed connection and a timeout an exchange),
and the gateway's `Line` (`gateway/ratelimit/line.py`: redis-py connects, a
protocol of the gateway's own reads, one timer an exchange).

A real redis-server on 127.0.0.1 (started here); on uvloop, as the gateway
runs. Each way sends the same `EVALSHA` of the decision script (one
decision, as the limit stage's plan makes it for an anonymous client)
`--n` times one after another; CPU of this process per exchange (user and
system: the kernel's share of the round trip is in it) and the wall time's
p50. Medians of `--rounds` rounds, the ways in shuffled order each round;
ratios against the redis-py `Connection` of the same run.

    python bench/line_bench.py [--rounds 5] [--n 3000]
Needs redis-server (bench/run installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_bench import free_port, stop
from ratelimit_bench import start_redis

from gateway.ratelimit.line import Line
from gateway.ratelimit.lua import DECIDE, packed
from gateway.ratelimit.redis_store import decision
from gateway.ratelimit.resp import faster
from gateway.ratelimit.store import Bucket

Send = Callable[[], Awaitable[Any]]


async def timed(send: Send, n: int) -> tuple[float, float]:
    """CPU µs per exchange and the wall time's p50 in µs."""
    walls = []
    cpu = time.process_time()
    for _ in range(n):
        began = time.perf_counter()
        await send()
        walls.append(time.perf_counter() - began)
    return (time.process_time() - cpu) / n * 1e6, statistics.median(walls) * 1e6


async def run(url: str, rounds: int, n: int) -> dict[str, list[tuple[float, float]]]:
    client = Redis.from_url(url, decode_responses=True)
    sha = await client.script_load(DECIDE)
    buckets = [Bucket("pgw:rl:{bench}:r", 1e6, 1000), Bucket("pgw:rl:{bench}:m", 1e6, 1000)]
    penalties = ["pgw:pen:{bench}:a", "pgw:pen:{bench}:b", "pgw:pen:{bench}:c"]
    keys, args = decision(buckets, penalties, ())
    # the many-decisions script's head: one decision, its key and argument counts
    command = ("EVALSHA", sha, len(keys), *keys, *packed([1, len(keys), len(args), *args]))
    pool = client.connection_pool
    pool.connection_class = faster(pool.connection_class)
    conn = pool.connection_class(**{**pool.connection_kwargs, "socket_timeout": None})
    await conn.connect()  # type: ignore[no-untyped-call]
    line = Line(pool, 5.0)

    async def direct() -> Any:
        await conn.send_packed_command(conn.pack_command(*command), check_health=False)
        return await conn.read_response()

    turn = asyncio.Lock()

    async def as_the_line_was() -> Any:
        """The line until 2026-12-04: the `Connection` under a lock, a probe
        for a connection Redis closed, one `asyncio.timeout` an exchange."""
        async with turn:
            try:
                stale = await conn.can_read()
            except RedisConnectionError:
                stale = True
            assert not stale
            async with asyncio.timeout(5.0):
                await conn.send_packed_command(conn.pack_command(*command), check_health=False)
                return await conn.read_response()

    ways: dict[str, Send] = {
        "redis-py client (`execute_command`)": lambda: client.execute_command(*command),
        "redis-py `Connection` used directly": direct,
        "the same, as the line used it (lock, probe, timeout)": as_the_line_was,
        "gateway `Line` (protocol of its own)": lambda: line.calls([command]),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    order = list(ways)
    for send in ways.values():  # warm-up
        await timed(send, 200)
    shuffle = random.Random(13)
    for _ in range(rounds):
        shuffle.shuffle(order)
        for name in order:
            results[name].append(await timed(ways[name], n))
    await line.close()
    await conn.disconnect()
    await client.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp()
    port = free_port()
    procs = [start_redis(port, workdir)]
    try:
        results = uvloop.run(run(f"redis://127.0.0.1:{port}/0", args.rounds, args.n))
    finally:
        stop(procs)
    base = "redis-py `Connection` used directly"
    base_cpu = statistics.median(c for c, _ in results[base])
    base_wall = statistics.median(w for _, w in results[base])
    print(f"\none decision's EVALSHA at a time, {args.n} × {args.rounds} rounds, uvloop; medians\n")
    print("| way | CPU µs an exchange | vs Connection | wall p50 µs | vs Connection |")
    print("|---|---:|---:|---:|---:|")
    for name, got in results.items():
        cpu = statistics.median(c for c, _ in got)
        wall = statistics.median(w for _, w in got)
        print(f"| {name} | {cpu:.1f} | {cpu / base_cpu:.2f} | {wall:.0f} | "
              f"{wall / base_wall:.2f} |")


if __name__ == "__main__":
    main()
