"""Pass-through cost of the gateway, against a bare aiohttp proxy, in one run.

Starts the demo upstream, the bare proxy (bench/bare_proxy.py) and the gateway
(pass-through policy, and the default policy which buffers bodies), then drives
each with wrk, interleaved round by round, and prints medians with ratios.

    python bench/proxy_bench.py [--rounds 5] [--duration 5] [--connections 32]

Needs wrk (Debian package `wrk`); bench/run installs it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

POST_BODY = json.dumps({
    "name": "张三", "idNo": "11010519491231002X", "mobile": "13800138000",
    "bankCard": "6222021234567890128", "address": "北京市朝阳区建国路88号1栋1001室",
    "employer": "北京华信咨询有限公司", "monthlyIncome": 18000,
    "notes": "申请人自述" * 120,
}, ensure_ascii=False)

PAYLOADS = [  # (label, method, path)
    ("2 KB JSON GET", "GET", "/api/v1/loans/1"),
    ("90 KB JSON GET (100 records)", "GET", "/api/v1/borrowers?page=1&size=100"),
    ("2 KB JSON POST", "POST", "/echo/loan-applications"),
]


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"not up: {url}")


def default_policy(*, limits: bool = False, encryption: bool = True,
                   limit_rate: str | None = None, detectors: bool = True,
                   audit: bool = False) -> Path:
    """policies/default.yaml as the benchmarks use it, written to a temporary
    file: without `rate_limits` unless asked (one load generator from one
    address is not a client to limit), optionally without the encrypt/decrypt
    rules, optionally with every limit set to `limit_rate`, optionally without
    the scraping detectors; without the audit trail unless asked."""
    data = yaml.safe_load((ROOT / "policies" / "default.yaml").read_text(encoding="utf-8"))
    if not limits:
        data["rate_limits"] = {}
    else:
        for limit in data["rate_limits"]["limits"] if limit_rate else ():
            limit["rate"], limit["burst"] = limit_rate, 1000
        for detector in ("enumeration", "exposure", "probing", "paging") if not detectors else ():
            data["rate_limits"].pop(detector, None)
    if not audit:
        data.pop("audit", None)
    if not encryption:
        data["actions"]["rules"] = [r for r in data["actions"]["rules"]
                                    if r["operator"] not in ("encrypt", "decrypt")]
    for key in ("store", "master_key_file", "usage_file"):
        data["keys"][key] = str((ROOT / "policies" / data["keys"][key]).resolve())
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="bench-policy-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        yaml.safe_dump(data, out, allow_unicode=True)
    return Path(name)


def edit_policy(path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """Apply `change` to the policy file's YAML, in place."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (Linux /proc): a
    gateway's CPU per request moves less with this machine's noise than its
    req/s does."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})


def start_stack(pure: bool = False, loops: bool = False
                ) -> tuple[list[subprocess.Popen[bytes]], dict[str, int]]:
    """The demo upstream, the bare proxy and the gateway with the pass-through
    and the default policy, all answering; with `pure`, also the default policy
    on the pure-Python path; with `loops`, also the bare proxy on uvloop and the
    default policy on asyncio's own loop (the gateway uses uvloop when it is
    installed, the bare proxy does not). Returns the processes and the ports by
    label (the upstream first, as "direct (upstream)")."""
    up = free_port()
    upstream = f"http://127.0.0.1:{up}"
    procs = [start([PY, "-m", "gateway", "demo-upstream", "--listen", f"127.0.0.1:{up}"])]
    wait_http(upstream + "/api/v1/loans/1")
    targets = {"direct (upstream)": up, "bare aiohttp proxy": free_port()}
    procs.append(start([PY, "bench/bare_proxy.py", str(targets["bare aiohttp proxy"]), upstream]))
    if loops:
        targets["bare aiohttp proxy, uvloop"] = free_port()
        procs.append(start([PY, "bench/bare_proxy.py", str(targets["bare aiohttp proxy, uvloop"]),
                            upstream, "uvloop"]))
    policy = str(default_policy())
    gateways = [("gateway pass-through", "policies/examples/passthrough.yaml", "auto", "auto"),
                ("gateway default policy", policy, "require", "auto")]
    if loops:
        gateways.append(("gateway default policy, asyncio loop", policy, "require", "asyncio"))
    if pure:
        gateways.append(("gateway default policy, pure Python", policy, "off", "auto"))
    for label, path, native, loop in gateways:
        targets[label] = port = free_port()
        procs.append(start([PY, "-m", "gateway", "serve", "--policy", path, "--upstream",
                            upstream, "--listen", f"127.0.0.1:{port}",
                            "--admin", f"127.0.0.1:{free_port()}", "--log-format", "json"],
                           env={"PII_GATEWAY_NATIVE": native, "PII_GATEWAY_LOOP": loop}))
    try:
        for port in targets.values():
            wait_http(f"http://127.0.0.1:{port}/api/v1/loans/1")
    except BaseException:
        stop(procs)
        raise
    return procs, targets


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Terminate the processes; kill the ones that do not exit in time (an
    inspection on a worker thread cannot be interrupted)."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def wrk(url: str, method: str, duration: int, connections: int, body: str = POST_BODY,
        headers: dict[str, str] | None = None) -> tuple[float, float, float]:
    """requests/s, p50 ms, p99 ms."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    quoted = body.replace("\\", "\\\\").replace('"', '\\"')
    script.write_text(
        f'wrk.method = "{method}"\n'
        + (f'wrk.body = "{quoted}"\nwrk.headers["Content-Type"] = "application/json"\n'
           if method == "POST" else "")
        + "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in (headers or {}).items())
        + "done = function(summary, latency, requests)\n"
          '  io.write(string.format("RESULT %f %f %f %d\\n", summary.requests / '
          "(summary.duration / 1e6), latency:percentile(50) / 1000, "
          "latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + "
          "summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n")
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                          "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    script.unlink()
    m = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+)", out)
    assert m, out
    if int(m.group(4)):
        raise SystemExit(f"wrk saw {m.group(4)} errors against {url}")
    return float(m.group(1)), float(m.group(2)), float(m.group(3))


def wrk_parser(rounds: int) -> argparse.ArgumentParser:
    """--rounds, --duration and --connections of the wrk-driven benchmarks
    (and --only, to run the payloads whose label holds the text)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--only", default="")
    return ap


def wrk_args(rounds: int) -> argparse.Namespace:
    return wrk_parser(rounds).parse_args()


def main() -> None:
    args = wrk_args(rounds=5)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk (bench/run does it)")

    payloads = [p for p in PAYLOADS if args.only in p[0]]
    procs, targets = start_stack(pure=True, loops=True)
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    sizes = {}  # bytes inspected per request: the response body (and a POST's request body)
    try:
        for label, method, path in payloads:
            with urllib.request.urlopen(f"http://127.0.0.1:{targets['direct (upstream)']}{path}"
                                        if method == "GET" else urllib.request.Request(
                                            f"http://127.0.0.1:{targets['direct (upstream)']}"
                                            f"{path}", data=POST_BODY.encode(),
                                            headers={"Content-Type": "application/json"}),
                                        timeout=5) as r:
                sizes[label] = len(r.read()) + (len(POST_BODY.encode()) if method == "POST"
                                                else 0)
        for label, method, path in payloads:
            for port in targets.values():  # warm-up
                wrk(f"http://127.0.0.1:{port}{path}", method, 1, args.connections)
            for _ in range(args.rounds):
                for name, port in targets.items():
                    r = wrk(f"http://127.0.0.1:{port}{path}", method, args.duration,
                            args.connections)
                    results.setdefault((label, name), []).append(r)
    finally:
        stop(procs)

    print(f"\nmachine: {os.cpu_count()} cores; wrk -t1 -c{args.connections}, "
          f"{args.rounds} rounds x {args.duration}s, interleaved; medians\n")
    print("| payload | target | req/s | p50 ms | p99 ms | req/s vs bare proxy | MB/s inspected |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, _, _ in payloads:
        base = statistics.median(r[0] for r in results[(label, "bare aiohttp proxy")])
        for name in targets:
            rs = results[(label, name)]
            rps = statistics.median(r[0] for r in rs)
            p50 = statistics.median(r[1] for r in rs)
            p99 = statistics.median(r[2] for r in rs)
            inspected = (f"{rps * sizes[label] / 1e6:.1f}" if name.startswith("gateway default")
                         else "")
            print(f"| {label} | {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rps / base:.3f} "
                  f"| {inspected} |")


if __name__ == "__main__":
    main()
