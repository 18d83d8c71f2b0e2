"""Instructions a request of the rate-limit stage alone, counted by callgrind.

The stage (`before_request` and `after_response` of the default policy's
limits and detectors, every limit raised so nothing is refused) runs in a
loop on uvloop, 32 requests at a time (`asyncio.gather`), one client,
`GET /api/v1/loans/1`, the exchange and its caller made per request as the
server makes them. Each row is the loop under `valgrind --tool=callgrind`
twice, with 0 and with `--requests` requests after the same warm-up: the
difference per request. Rows: the loop without the stage (the exchange, the
caller, the loop's own work), then with the stage on the memory store, on a
real `redis-server` and on a real three-master Redis Cluster (started here,
on 127.0.0.1), and on the cluster for a client that presents an API key
(`cluster-key`: a subject, whose keys are in a slot of their own, beside its
address's); each stage row less the first. The Redis rows' policy has a
5 s `redis.timeout`: under callgrind a request is ~50 times slower, and the
default 50 ms could send decisions to the local fallback, which is cheaper;
a row whose loop made any decision without Redis fails.

What it does not count: Redis's own work (another process), the kernel's,
cache misses. `cost_bench.py` is the end-to-end measure; this one moves by
well under 1 % between runs where req/s moves by 10-20 %. About two
minutes a row.

    python bench/stage_instr.py [--requests 6400] [--only memory,redis,cluster,cluster-key]
Needs valgrind and redis-server (bench/run installs them).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_bench import PY, default_policy, free_port, stop
from ratelimit_bench import exchange_for, start_cluster, start_redis

from gateway.crypto.devkeys import ensure_dev_keys

ROOT = Path(__file__).resolve().parent.parent
AT_ONCE = 32
WARM = 20  # rounds of AT_ONCE before counting


def _policy(store: str) -> Path:
    """The pass-through example with the default policy's keys and limits."""
    data = yaml.safe_load((ROOT / "policies/examples/passthrough.yaml").read_text("utf-8"))
    default = yaml.safe_load(default_policy(limits=True, limit_rate="1000000/s")
                             .read_text("utf-8"))
    data["keys"] = default["keys"]
    data["rate_limits"] = {**default["rate_limits"], "store": store,
                           "redis": {"timeout": "5s"}}
    data["actions"] = {"roles": default["actions"]["roles"]}  # the API-key header
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="bench-stage-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        yaml.safe_dump(data, out)
    return Path(name)


KEY = {"X-Api-Key": "bench-partner-key"}


def loop(requests: int, store: str, stage: bool, key: bool) -> None:
    """The measured program: warm-up, then `requests` requests; prints how
    many decisions were made without Redis."""
    import uvloop

    from gateway.policy.compiled import compile_file
    from gateway.proxy.ratelimit_stage import after_response, before_request
    from gateway.ratelimit.limiter import StoreHolder

    policy = compile_file(_policy(store), "http://127.0.0.1:9")
    route = policy.routes[0]
    holder = StoreHolder()
    holder.sync(policy.limits)
    degraded: list[str] = []
    if holder.breaker is not None:
        holder.breaker.on_degraded = degraded.append

    async def one() -> None:
        ex = exchange_for(policy, route, KEY if key else {})
        if stage:
            waiting = before_request(ex, route, holder, "/api/v1/loans/1", "")
            if waiting is not None:
                await waiting
        await asyncio.sleep(0)  # the upstream's turn
        if stage:
            waiting = after_response(ex, route, holder, 200, None)
            if waiting is not None:
                await waiting

    async def run() -> None:
        for _ in range(WARM):
            await asyncio.gather(*(one() for _ in range(AT_ONCE)))
        for _ in range(requests // AT_ONCE):
            await asyncio.gather(*(one() for _ in range(AT_ONCE)))
        await holder.close()

    uvloop.run(run())
    print(f"degraded {len(degraded)}")


def counted(requests: int, store: str, stage: bool, workdir: Path, key: bool) -> int:
    """Instructions of the loop with `requests` requests."""
    out = workdir / f"callgrind.{len(list(workdir.glob('callgrind.*')))}"
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", PY, __file__,
         "--loop", str(requests), "--store", store, *(["--stage"] if stage else []),
         *(["--key"] if key else [])],
        capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"})
    if run.returncode != 0 or "degraded 0" not in run.stdout:
        raise SystemExit(f"the loop failed ({store}): {run.stdout[-500:]} {run.stderr[-2000:]}")
    m = re.search(r"^totals: (\d+)", out.read_text(errors="replace"), re.M)
    if m is None:
        raise SystemExit(f"no totals in {out}")
    return int(m.group(1))


def per_request(requests: int, store: str, stage: bool, workdir: Path, key: bool = False
                ) -> float:
    return (counted(requests, store, stage, workdir, key)
            - counted(0, store, stage, workdir, key)) / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=6400)
    parser.add_argument("--only", default="",
                        help="memory, redis, cluster, cluster-key (comma-separated)")
    parser.add_argument("--loop", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--store", default="memory", help=argparse.SUPPRESS)
    parser.add_argument("--stage", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--key", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loop is not None:
        loop(args.loop, args.store, args.stage, args.key)
        return
    for tool in ("valgrind", "redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install valgrind redis-server")
    ensure_dev_keys(ROOT / "keys")
    chosen = ([r for r in args.only.split(",") if r]
              or ["memory", "redis", "cluster", "cluster-key"])
    workdir = Path(tempfile.mkdtemp())
    procs: list[Any] = []
    try:
        stores = {"memory": "memory"}
        if "redis" in chosen:
            port = free_port()
            procs.append(start_redis(port, str(workdir)))
            stores["redis"] = f"redis://127.0.0.1:{port}/0"
        if "cluster" in chosen or "cluster-key" in chosen:
            cluster_procs, url = start_cluster(str(workdir))
            procs += cluster_procs
            stores["cluster"] = stores["cluster-key"] = url
        base = per_request(args.requests, "memory", False, workdir)
        rows = {name: per_request(args.requests, stores[name], True, workdir,
                                  name.endswith("-key")) - base
                for name in chosen}
    finally:
        stop(procs)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nthe limit stage, {AT_ONCE} requests at a time on uvloop, one client; "
          f"{args.requests} requests less 0, less the loop without the stage "
          f"({base:,.0f} instructions a request)\n")
    print("| store | instructions/req | vs memory |")
    print("|---|---:|---:|")
    memory = rows.get("memory")
    for name, value in rows.items():
        ratio = f"{value / memory:.2f}" if memory else ""
        print(f"| {name} | {value:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
