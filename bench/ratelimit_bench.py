"""What rate limiting costs: one decision, and the gateway with limits on.

1. Decision latency, in one process: `decide` with two buckets and three
   penalty keys (what a request of the default policy asks), memory store,
   a real redis-server and a real three-master Redis Cluster on loopback,
   5,000 decisions one after another, p50 and p99; then a request's
   decision as the limit stage makes it (`before_request`: on Redis one
   script call made from the client's plan, on a cluster one per slot
   group), for an anonymous caller and one with an API key, the same
   way. And the whole limit
   stage around one request in memory (`before_request` and `after_response`
   of the default policy's limits and detectors for `GET /api/v1/loans/1`,
   one event-loop turn each, as a server gives it), beside the same request
   without limits (the exchange and its caller alone); the fastest of 15
   rounds of 2,000.
2. The limit stage under concurrency, in one process: 32 requests at a time
   (`asyncio.gather`), memory, Redis and Redis Cluster, the requests of one
   client or of 1,000 (each address in a /24 of its own: on a cluster, a
   slot each), the gateway's CPU and the Redis servers' CPU per request,
   medians of 5 rounds of 6,400 requests, each round's stores in shuffled
   order; CPU against the memory store's with the same clients.
3. The gateway with the default policy (2 KB JSON GET), limits off, on with
   the memory store, on with Redis and on with Redis Cluster (limits raised so
   nothing is refused: the limiter still decides every request and the
   detectors count), wrk, interleaved rounds, medians; with each gateway
   process's CPU time per request (from /proc), which this noisy machine
   moves less than it moves req/s.

    python bench/ratelimit_bench.py [--rounds 3] [--duration 5] [--connections 32]
Needs redis-server and wrk (bench/run installs them).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.redis_processes
from proxy_bench import (
    PY,
    cpu_seconds,
    default_policy,
    edit_policy,
    free_port,
    start,
    stop,
    wait_http,
    wrk,
    wrk_args,
)

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.exchange import Caller, Exchange
from gateway.http.clientip import ClientInfo
from gateway.policy.compiled import CompiledPolicy, CompiledRoute, compile_file
from gateway.proxy.caller import resolve_caller
from gateway.proxy.ratelimit_stage import after_response, before_request
from gateway.ratelimit.cluster_store import RedisClusterStore
from gateway.ratelimit.limiter import StoreHolder
from gateway.ratelimit.memory import MemoryStore
from gateway.ratelimit.redis_store import RedisStore
from gateway.ratelimit.store import Bucket, LimitStore
from tests.redis_processes import RedisClusterProcesses

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def decision_latency(store: LimitStore, n: int = 5000) -> tuple[float, float]:
    buckets = [Bucket("pgw:rl:{a}:per-client", 1e6, 1000), Bucket("pgw:rl:{b}:per-ip", 1e6, 1000)]
    penalties = ["pgw:pen:{a}", "pgw:pen:{b}", "pgw:pen:{c}"]
    times = []
    for _ in range(n):
        began = time.perf_counter()
        await store.decide(buckets, penalties)
        times.append((time.perf_counter() - began) * 1e6)
    return statistics.median(times), percentile(times, 0.99)


def exchange_for(policy: CompiledPolicy, route: CompiledRoute, headers: dict[str, str]
              ) -> Exchange:
    """A GET's exchange and its caller, as the server makes them."""
    ex = Exchange("bench", policy, Caller(ClientInfo("127.0.0.1", "127.0.0.1", False, ())),
                  "GET")
    ex.route = route
    resolve_caller(ex.caller, headers, policy, route)
    return ex


async def request_latency(policy: CompiledPolicy, key: str | None, n: int = 5000
                          ) -> tuple[float, float]:
    """A request's decision as the limit stage makes it (`before_request`,
    awaited when it hands something back: on Redis the one call, on a
    cluster one per slot group), one request after another, p50 and p99 µs;
    `key`: the API key the caller presents (a subject), or none."""
    route = next(r for r in policy.routes if r.name == "lending-api")
    holder = StoreHolder()
    holder.sync(policy.limits)
    headers = {"X-Api-Key": key} if key else {}
    times = []
    try:
        for i in range(n + 50):  # the first 50: the plan, the connection, the slot map
            ex = exchange_for(policy, route, headers)
            began = time.perf_counter()
            waiting = before_request(ex, route, holder, "/api/v1/loans/1", "")
            if waiting is not None:
                await waiting
            if i >= 50:
                times.append((time.perf_counter() - began) * 1e6)
    finally:
        await holder.close()
    return statistics.median(times), percentile(times, 0.99)


async def _stage(ex: Exchange, route: CompiledRoute, holder: StoreHolder) -> None:
    """The limit stage around one request, as the handler runs it (each half
    awaited only when it hands something back)."""
    waiting = before_request(ex, route, holder, "/api/v1/loans/1", "")
    if waiting is not None:
        await waiting
    waiting = after_response(ex, route, holder, 200, None)
    if waiting is not None:
        await waiting


async def stage_cost(policy: CompiledPolicy, rounds: int = 15, n: int = 2000
                     ) -> tuple[float, float]:
    """µs per request: (the request without limits, the limit stage around it)."""
    route = next(r for r in policy.routes if r.name == "lending-api")
    holder = StoreHolder()
    holder.sync(policy.limits)

    async def bare() -> None:
        exchange_for(policy, route, {})

    async def limited() -> None:
        ex = exchange_for(policy, route, {})
        await _stage(ex, route, holder)

    best = {bare: float("inf"), limited: float("inf")}
    for _ in range(rounds):
        for fn in best:
            began = time.perf_counter()
            for _ in range(n):
                await fn()
                await asyncio.sleep(0)  # a turn of the loop, as between requests
            best[fn] = min(best[fn], (time.perf_counter() - began) / n * 1e6)
    await holder.close()
    return best[bare], best[limited] - best[bare]


async def concurrent_stage(policy: CompiledPolicy, clients: int, redis_pids: list[int],
                           batches: int = 200, at_once: int = 32) -> tuple[float, float]:
    """µs of CPU per request (this process, the Redis servers) of the limit
    stage, `at_once` requests at a time from `clients` addresses in turn."""
    route = next(r for r in policy.routes if r.name == "lending-api")
    holder = StoreHolder()
    holder.sync(policy.limits)
    turn = 0

    async def one() -> None:
        nonlocal turn
        turn += 1
        i = turn % clients
        ip = f"10.{i // 250 % 250}.{i % 250}.7"
        ex = Exchange("bench", policy, Caller(ClientInfo(ip, ip, False, ())), "GET")
        ex.route = route
        resolve_caller(ex.caller, {}, policy, route)
        await _stage(ex, route, holder)

    for _ in range(clients):  # every client known, every connection made
        await one()
    own, servers = time.process_time(), sum(cpu_seconds(p) for p in redis_pids)
    for _ in range(batches):
        await asyncio.gather(*(one() for _ in range(at_once)))
    n = batches * at_once
    used = ((time.process_time() - own) / n * 1e6,
            (sum(cpu_seconds(p) for p in redis_pids) - servers) / n * 1e6)
    await holder.close()
    return used


def stage_table(redis_url: str, redis_pids: list[int], cluster_url: str,
                cluster_pids: list[int], rounds: int = 5) -> None:
    stores = {"memory": ("memory", []), "Redis": (redis_url, redis_pids),
              "Redis Cluster": (cluster_url, cluster_pids)}
    used: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for clients in (1, 1000):
            for name in random.sample(list(stores), len(stores)):
                url, pids = stores[name]
                path = default_policy(limits=True, limit_rate="1000000/s")
                policy = compile_file(with_store(path, url) if url != "memory" else path,
                                      "http://127.0.0.1:9")
                used.setdefault((name, clients), []).append(
                    asyncio.run(concurrent_stage(policy, clients, pids)))
    print("\n| limit stage, 32 requests at a time | clients | gateway CPU µs/req | "
          "vs memory | Redis CPU µs/req |")
    print("|---|---:|---:|---:|---:|")
    for (name, clients), runs in sorted(used.items(), key=lambda kv: (
            kv[0][1], list(stores).index(kv[0][0]))):
        own = statistics.median(u[0] for u in runs)
        base = statistics.median(u[0] for u in used[("memory", clients)])
        servers = statistics.median(u[1] for u in runs)
        print(f"| {name} | {clients:,} | {own:.0f} | {own / base:.2f} | {servers:.0f} |")


def start_redis(port: int, directory: str) -> object:
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("redis-server not found: apt-get install redis-server (bench/run does)")
    proc = start([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", directory])
    time.sleep(0.5)
    return proc


def start_cluster(directory: str) -> tuple[list[object], str]:
    """Three cluster-enabled redis-servers joined by `redis-cli --cluster create`,
    up once every node reports the cluster ok (the test suite's helper)."""
    cluster = RedisClusterProcesses(Path(directory) / "cluster").start()
    return [node.proc for node in cluster.nodes], cluster.url


def with_store(path: Path, store: str) -> Path:
    return edit_policy(path, lambda data: data["rate_limits"].update(store=store))


def main() -> None:
    args = wrk_args(rounds=3)
    ensure_dev_keys(ROOT / "keys")
    workdir = tempfile.mkdtemp()
    redis_port = free_port()
    procs = [start_redis(redis_port, workdir)]
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    try:
        cluster_procs, cluster_url = start_cluster(workdir)
        procs += cluster_procs

        async def latencies() -> dict[str, tuple[float, float]]:
            redis = RedisStore(redis_url, timeout=1.0)
            await redis.redis.flushdb()
            cluster = RedisClusterStore(cluster_url, timeout=1.0)
            out = {"memory": await decision_latency(MemoryStore()),
                   "redis (loopback)": await decision_latency(redis),
                   "redis cluster, 3 masters (loopback)": await decision_latency(cluster)}
            await redis.close()
            await cluster.close()
            return out
        decided = asyncio.run(latencies())
        print("\n| store | decide p50 µs | decide p99 µs |")
        print("|---|---:|---:|")
        for name, (p50, p99) in decided.items():
            print(f"| {name} | {p50:,.0f} | {p99:,.0f} |")
        policy = compile_file(default_policy(limits=True, limit_rate="1000000/s"),
                              "http://127.0.0.1:9")
        stores = {"memory": "memory", "redis (loopback)": redis_url,
                  "redis cluster, 3 masters (loopback)": cluster_url}
        print("\n| store | caller | request's decision p50 µs | p99 µs |")
        print("|---|---|---:|---:|")
        for name, url in stores.items():
            on = compile_file(with_store(default_policy(limits=True, limit_rate="1000000/s"),
                                         url), "http://127.0.0.1:9")
            for caller, key in (("anonymous", None), ("with an API key", "bench-partner-key")):
                p50, p99 = asyncio.run(request_latency(on, key))
                print(f"| {name} | {caller} | {p50:,.0f} | {p99:,.0f} |")
        alone, stage = asyncio.run(stage_cost(policy))
        print(f"\nlimit stage in memory, one process: {stage:.1f} µs per request "
              f"(the request without it: {alone:.1f} µs; fastest of 15 rounds)")
        stage_table(redis_url, [procs[0].pid], cluster_url,  # type: ignore[attr-defined]
                    [p.pid for p in cluster_procs])  # type: ignore[attr-defined]

        up = free_port()
        upstream = f"http://127.0.0.1:{up}"
        procs.append(start([PY, "-m", "gateway", "demo-upstream", "--listen",
                            f"127.0.0.1:{up}"]))
        wait_http(upstream + "/api/v1/loans/1")
        variants = {
            "limits off": default_policy(),
            "limits on, memory": default_policy(limits=True, limit_rate="1000000/s"),
            "limits on, Redis": with_store(default_policy(limits=True, limit_rate="1000000/s"),
                                           redis_url),
            "limits only (no detectors), Redis": with_store(
                default_policy(limits=True, limit_rate="1000000/s", detectors=False), redis_url),
            "limits on, Redis Cluster": with_store(
                default_policy(limits=True, limit_rate="1000000/s"), cluster_url),
        }
        ports, pids = {}, {}
        for name, policy_file in variants.items():
            ports[name] = free_port()
            procs.append(start([PY, "-m", "gateway", "serve", "--policy", str(policy_file),
                                "--upstream", upstream, "--listen", f"127.0.0.1:{ports[name]}",
                                "--admin", f"127.0.0.1:{free_port()}", "--log-format", "json"]))
            pids[name] = procs[-1].pid  # type: ignore[attr-defined]
        for port in ports.values():
            wait_http(f"http://127.0.0.1:{port}/api/v1/loans/1")
        results: dict[str, list[tuple[float, float, float]]] = {}
        cpu: dict[str, list[float]] = {}
        for port in ports.values():
            wrk(f"http://127.0.0.1:{port}/api/v1/loans/1", "GET", 1, args.connections)
        for _ in range(args.rounds):
            for name, port in ports.items():
                before = cpu_seconds(pids[name])
                results.setdefault(name, []).append(
                    wrk(f"http://127.0.0.1:{port}/api/v1/loans/1", "GET", args.duration,
                        args.connections))
                served = results[name][-1][0] * args.duration
                cpu.setdefault(name, []).append(
                    (cpu_seconds(pids[name]) - before) / served * 1e6)
    finally:
        stop(procs)  # type: ignore[arg-type]
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nmachine: {os.cpu_count()} cores; 2 KB JSON GET, default policy; wrk -t1 "
          f"-c{args.connections}, {args.rounds} rounds x {args.duration}s, interleaved; medians\n")
    print("| gateway | req/s | p50 ms | p99 ms | req/s vs limits off | p50 added ms | "
          "gateway CPU µs/req | CPU vs limits off |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    base_rps = statistics.median(r[0] for r in results["limits off"])
    base_p50 = statistics.median(r[1] for r in results["limits off"])
    base_cpu = statistics.median(cpu["limits off"])
    for name, rs in results.items():
        rps = statistics.median(r[0] for r in rs)
        p50 = statistics.median(r[1] for r in rs)
        p99 = statistics.median(r[2] for r in rs)
        used = statistics.median(cpu[name])
        print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rps / base_rps:.2f} | "
              f"{p50 - base_p50:+.2f} | {used:,.0f} | {used / base_cpu:.2f} |")


if __name__ == "__main__":
    main()
