"""What each feature costs on the fixed path: one table, ratios of a bare proxy.

The 2 KB JSON GET through the bare aiohttp proxy (the baseline; and the same
on uvloop, which the gateway uses when installed) and through the gateway
with features switched on in turn, each row adding to the one before: a
pass-through route with metrics and the access log off, + metrics,
+ the access log, + the default policy's rate limits and detectors in memory
(limits raised so nothing is refused), the same on Redis, on a three-master
Redis Cluster; then protection with the default policy for a caller that sees
everything (the risk engine's key: every response reveals data), and + the
audit trail. wrk, interleaved rounds (each in its own shuffled order: in a
fixed order a row ran faster or slower for where it stood), medians; with
each proxy process's CPU time per request (from /proc).

Then each feature's cost measured in pairs (`--pairs N`, 0 to skip): the row
without the feature and the row with it run back to back as A B B A, N
times, and each B is divided by the A next to it. Rows that stand far apart
in a shuffled round meet this machine's slow and fast minutes at random (the
same code moved by 10-20 % from run to run); a pair shares its minute. The
table gives the median ratio with its quartiles, and the CPU-per-request
ratio. Two pairs have callers with an API key (a subject): on Redis Cluster
their keys are in two slot groups, where an anonymous caller's are in one.

    python bench/cost_bench.py [--rounds 3] [--duration 5] [--connections 32] [--pairs 6]
Needs redis-server, redis-cli and wrk (bench/run installs them).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
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
    wrk_parser,
)
from ratelimit_bench import start_cluster, start_redis

from gateway.crypto.devkeys import ensure_dev_keys

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/loans/1"
RISK = {"X-Api-Key": "demo-risk-key"}
KEYED = {"X-Api-Key": "bench-partner-key"}  # a subject for the limits (no role needed)
ACCESS = "+ access log"
# (the feature, the row without it, the row with it, the target: with / without)
PAIRS = [
    ("metrics", "pass-through, no metrics, no access log", "+ metrics", 0.98),
    ("pass-through, metrics, access log vs bare proxy on uvloop",
     "bare aiohttp proxy on uvloop", ACCESS, 0.85),
    ("limits and detectors, memory", ACCESS, "+ limits and detectors, memory", 0.95),
    ("limits and detectors, Redis", ACCESS, "+ limits and detectors, Redis", 0.90),
    ("limits and detectors, Redis Cluster", ACCESS,
     "+ limits and detectors, Redis Cluster", 0.90),
    ("limits and detectors, Redis, API-key callers", ACCESS + " (API key)",
     "+ limits and detectors, Redis (API key)", 0.90),
    ("limits and detectors, Redis Cluster, API-key callers", ACCESS + " (API key)",
     "+ limits and detectors, Redis Cluster (API key)", 0.90),
    ("audit trail", "default policy, every response revealing (no limits)", "+ audit trail",
     0.95),
]
Target = tuple[int, dict[str, str]]  # port, headers


def passthrough(metrics: bool, access_log: bool, limits: dict[str, Any] | None = None) -> Path:
    """The pass-through example with metrics and the access line on or off, and
    the default policy's `keys:`, `rate_limits:` (every limit raised) and roles."""
    data = yaml.safe_load((ROOT / "policies/examples/passthrough.yaml").read_text("utf-8"))
    data.setdefault("server", {})["metrics"] = metrics
    data["logging"] = {"format": "json", "level": "info" if access_log else "warning"}
    if limits is not None:
        default = yaml.safe_load(default_policy(limits=True, limit_rate="1000000/s")
                                 .read_text("utf-8"))
        data["keys"] = default["keys"]
        data["rate_limits"] = {**default["rate_limits"], **limits}
        # its API-key header: a caller presenting a key is a subject for the limits
        data["actions"] = {"roles": default["actions"]["roles"]}
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="bench-cost-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        yaml.safe_dump(data, out, allow_unicode=True)
    return Path(name)


def with_audit(path: Path, directory: str) -> Path:
    def change(data: dict[str, Any]) -> None:
        data["audit"] = {"sink": "file", "directory": directory, "on_full": "block"}
    return edit_policy(path, change)


def paired(targets: dict[str, Target], pids: dict[str, int], without: str, with_: str,
           cycles: int, duration: int, connections: int) -> tuple[list[float], list[float]]:
    """Req/s and CPU-per-request ratios (with / without) of `cycles` A B B A runs."""
    rates: list[float] = []
    cpus: list[float] = []
    for _ in range(cycles):
        runs: dict[str, list[tuple[float, float]]] = {without: [], with_: []}
        for label in (without, with_, with_, without):
            port, headers = targets[label]
            before = cpu_seconds(pids[label])
            rps = wrk(f"http://127.0.0.1:{port}{PATH}", "GET", duration, connections,
                      headers=headers)[0]
            runs[label].append((rps, (cpu_seconds(pids[label]) - before) / (rps * duration)))
        for a, b in zip(runs[without], runs[with_], strict=True):
            rates.append(b[0] / a[0])
            cpus.append(b[1] / a[1])
    return rates, cpus


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return q1, q2, q3


def main() -> None:
    ap = wrk_parser(rounds=3)
    ap.add_argument("--pairs", type=int, default=6,
                    help="A B B A cycles per feature in the paired table (0: none)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk (bench/run does it)")
    ensure_dev_keys(ROOT / "keys")
    workdir = tempfile.mkdtemp()
    redis_port = free_port()
    procs: list[Any] = [start_redis(redis_port, workdir)]
    try:
        cluster_procs, cluster_url = start_cluster(workdir)
        procs += cluster_procs
        up = free_port()
        upstream = f"http://127.0.0.1:{up}"
        procs.append(start([PY, "-m", "gateway", "demo-upstream", "--listen",
                            f"127.0.0.1:{up}"]))
        wait_http(upstream + PATH)
        targets: dict[str, Target] = {"bare aiohttp proxy": (free_port(), {})}
        procs.append(start([PY, "bench/bare_proxy.py", str(targets["bare aiohttp proxy"][0]),
                            upstream]))
        pids = {"bare aiohttp proxy": procs[-1].pid}
        # like for like: the gateway runs on uvloop when it is installed
        targets["bare aiohttp proxy on uvloop"] = (free_port(), {})
        procs.append(start([PY, "bench/bare_proxy.py",
                            str(targets["bare aiohttp proxy on uvloop"][0]), upstream, "uvloop"]))
        pids["bare aiohttp proxy on uvloop"] = procs[-1].pid
        protected = default_policy()
        gateways = {
            "pass-through, no metrics, no access log": (passthrough(False, False), {}),
            "+ metrics": (passthrough(True, False), {}),
            "+ access log": (passthrough(True, True), {}),
            "+ limits and detectors, memory": (passthrough(True, True, {}), {}),
            "+ limits and detectors, Redis": (
                passthrough(True, True, {"store": f"redis://127.0.0.1:{redis_port}/0"}), {}),
            "+ limits and detectors, Redis Cluster": (
                passthrough(True, True, {"store": cluster_url}), {}),
            "default policy, every response revealing (no limits)": (protected, RISK),
            "+ audit trail": (with_audit(default_policy(), os.path.join(workdir, "audit")),
                              RISK),
        }
        for label, (policy, headers) in gateways.items():
            port = free_port()
            targets[label] = (port, headers)
            procs.append(start([PY, "-m", "gateway", "serve", "--policy", str(policy),
                                "--upstream", upstream, "--listen", f"127.0.0.1:{port}",
                                "--admin", f"127.0.0.1:{free_port()}"]))
            pids[label] = procs[-1].pid
        for port, _ in targets.values():
            wait_http(f"http://127.0.0.1:{port}{PATH}", timeout=180)  # ten processes start at once
        # the same processes called with an API key: the paired table only
        keyed = {f"{label} (API key)": label for label in
                 (ACCESS, "+ limits and detectors, Redis", "+ limits and detectors, Redis Cluster")}
        for label, plain in keyed.items():
            pids[label] = pids[plain]
            wrk(f"http://127.0.0.1:{targets[plain][0]}{PATH}", "GET", 1, args.connections,
                headers=KEYED)
        results: dict[str, list[tuple[float, float, float]]] = {}
        cpu: dict[str, list[float]] = {}
        for port, headers in targets.values():  # warm-up
            wrk(f"http://127.0.0.1:{port}{PATH}", "GET", 1, args.connections, headers=headers)
        order = list(targets.items())
        all_targets = {**targets, **{k: (targets[v][0], KEYED) for k, v in keyed.items()}}
        shuffle = random.Random(16)
        for _ in range(args.rounds):
            shuffle.shuffle(order)  # no row always runs right after the same one
            for label, (port, headers) in order:
                before = cpu_seconds(pids[label])
                results.setdefault(label, []).append(
                    wrk(f"http://127.0.0.1:{port}{PATH}", "GET", args.duration,
                        args.connections, headers=headers))
                served = results[label][-1][0] * args.duration
                cpu.setdefault(label, []).append(
                    (cpu_seconds(pids[label]) - before) / served * 1e6)
        pairs = {feature: paired(all_targets, pids, without, with_, args.pairs, args.duration,
                                 args.connections)
                 for feature, without, with_, _ in PAIRS} if args.pairs else {}
    finally:
        stop(procs)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nmachine: {os.cpu_count()} cores; 2 KB JSON GET; wrk -t1 -c{args.connections}, "
          f"{args.rounds} rounds x {args.duration}s, interleaved in shuffled order; medians\n")
    print("| gateway | req/s | p50 ms | p99 ms | vs bare proxy | vs the row above | "
          "proxy CPU µs/req | CPU vs the row above |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    base = statistics.median(r[0] for r in results["bare aiohttp proxy"])
    above, above_cpu = base, statistics.median(cpu["bare aiohttp proxy"])
    for label in targets:  # the rows in the order they were declared
        rs = results[label]
        rps = statistics.median(r[0] for r in rs)
        p50 = statistics.median(r[1] for r in rs)
        p99 = statistics.median(r[2] for r in rs)
        used = statistics.median(cpu[label])
        print(f"| {label} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rps / base:.2f} | "
              f"{rps / above:.2f} | {used:,.0f} | {used / above_cpu:.2f} |")
        above, above_cpu = rps, used
    if pairs:
        print(f"\neach feature in pairs: {args.pairs} x (without, with, with, without), "
              f"{args.duration}s each; ratio with / without, median [quartiles]\n")
        print("| feature | req/s ratio | quartiles | CPU/req ratio | target | met |")
        print("|---|---:|---:|---:|---:|---|")
        for feature, _, _, target in PAIRS:
            rates, cpus = pairs[feature]
            q1, q2, q3 = quartiles(rates)
            met = "yes" if q1 >= target else "no" if q3 < target else "within noise"
            print(f"| {feature} | {q2:.3f} | {q1:.3f}-{q3:.3f} | "
                  f"{statistics.median(cpus):.3f} | {target:.2f} | {met} |")


if __name__ == "__main__":
    main()
