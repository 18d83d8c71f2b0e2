"""Latency added by protection at half of the gateway's saturation load.

wrk drives a closed loop; this drives an open loop at a fixed rate (requests
are sent on schedule whether or not earlier ones finished), like a service in
production. The rate is half of what the gateway with the default policy
sustains on the payload (measured first with wrk), and the bare proxy and
the pass-through gateway get the same rate. Prints p50/p99 per target and the
p99 the default policy adds over the bare proxy.

    python bench/latency_bench.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_bench import PAYLOADS, POST_BODY, start_stack, stop, wrk


async def open_loop(url: str, method: str, rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []
    interval = 1 / rate
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async def one() -> None:
            started = time.perf_counter()
            data = POST_BODY.encode() if method == "POST" else None
            async with http.request(method, url, data=data,
                                    headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        begin = time.perf_counter()
        n = 0
        while (now := time.perf_counter()) - begin < seconds:
            due = begin + n * interval
            if now < due:
                await asyncio.sleep(due - now)
            tasks.append(asyncio.create_task(one()))
            n += 1
        await asyncio.gather(*tasks)
    return latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    procs, targets = start_stack()
    del targets["direct (upstream)"]
    gw_def = targets["gateway default policy"]
    rows = []
    try:
        for label, method, path in PAYLOADS:
            saturation = wrk(f"http://127.0.0.1:{gw_def}{path}", method, 5, 32)[0]
            rate = saturation / 2
            results = {}
            for name, port in targets.items():
                lat = asyncio.run(open_loop(f"http://127.0.0.1:{port}{path}", method, rate,
                                            args.seconds))
                results[name] = (statistics.median(lat), p99(lat), len(lat))
            added = results["gateway default policy"][1] - results["bare aiohttp proxy"][1]
            for name, (p50, q99, n) in results.items():
                rows.append(f"| {label} | {rate:,.0f} | {name} | {n:,} | {p50:.2f} | {q99:.2f} |"
                            + (f" {added:+.2f} |" if name == "gateway default policy" else " |"))
    finally:
        stop(procs)
    print(f"\nopen loop at half of the default policy's saturation, {args.seconds:.0f} s each\n")
    print("| payload | req/s | target | requests | p50 ms | p99 ms | p99 added by protection |")
    print("|---|---:|---|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
