"""Does inspecting a large body stall other requests? (event-loop lag, seen from outside)

Starts the demo upstream and the gateway (default policy) as processes, then
sends small GET requests every 10 ms to its admin listener's /healthz (served by
the same event loop, but answered without the upstream, which is itself busy
storing the large bodies), first alone (baseline), then while
large JSON bodies are being posted to a protected route and inspected: 3 MB
ones (with the native core: on a worker thread that parses without the GIL and
lets go of it every 64 KB) and 5 MB ones (in a child process; limits in
`gateway/protect/offload.py`). Prints the small requests' latency
percentiles: the added delay is what the event loop lost to the big bodies.

    python bench/loop_lag.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_bench import PY, default_policy, free_port, start, stop, wait_http

from gateway.demo import data


def big_body(target: int = 5 * 1024 * 1024) -> bytes:
    items, size = [], 0
    i = 1
    while size < target:
        b = data.borrower(20261128, i)
        items.append(b)
        size += len(json.dumps(b, ensure_ascii=False).encode())
        i += 1
    return json.dumps({"items": items}, ensure_ascii=False).encode()


async def probe(url: str, seconds: float) -> list[float]:
    latencies = []
    async with aiohttp.ClientSession() as http:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            async with http.get(url) as resp:
                await resp.read()
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)
    return latencies


async def load(url: str, body: bytes, seconds: float) -> int:
    done = 0
    async with aiohttp.ClientSession() as http:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            async with http.post(url, data=body,
                                 headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                assert resp.status == 201, resp.status
            done += 1
    return done


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    up, gw, admin = free_port(), free_port(), free_port()
    upstream = f"http://127.0.0.1:{up}"
    procs = [start([PY, "-m", "gateway", "demo-upstream", "--listen", f"127.0.0.1:{up}"]),
             start([PY, "-m", "gateway", "serve", "--policy", str(default_policy()),
                    "--upstream", upstream, "--listen", f"127.0.0.1:{gw}",
                    "--admin", f"127.0.0.1:{admin}", "--log-format", "json"])]
    try:
        wait_http(f"http://127.0.0.1:{gw}/api/v1/loans/1")
        small = f"http://127.0.0.1:{admin}/healthz"
        rows = [("alone", await probe(small, args.seconds), 0)]
        for size, where in ((3, "worker thread"), (5, "child process")):
            body = big_body(size * 1024 * 1024)
            during, posted = await asyncio.gather(
                probe(small, args.seconds),
                load(f"http://127.0.0.1:{gw}/api/v1/loan-applications", body, args.seconds))
            rows.append((f"during {size} MB inspections ({where})", during, posted))
    finally:
        stop(procs)
    print(f"\n/healthz latency (ms) every 10 ms for {args.seconds:.0f} s each, alone and while "
          f"large bodies are posted and inspected\n")
    print("| condition | large bodies inspected | probes | p50 | p99 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, values, posted in rows:
        print(f"| {label} | {posted} | {len(values)} | {statistics.median(values):.1f} | "
              f"{pct(values, 99):.1f} | {max(values):.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
