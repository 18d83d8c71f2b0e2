"""What the audit trail and metrics cost, against both off, in one run.

The gateway with the default policy (no rate limits), called as the risk
engine so every response reveals personal data in full (the audit trail
writes a record per revealed field), on the 2 KB JSON GET and the 90 KB list:
metrics and audit off, metrics on, metrics and audit (file sink) on. wrk,
interleaved rounds, medians.

    python bench/audit_bench.py [--rounds 3] [--duration 5] [--connections 32]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_bench import (
    PY,
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

ROOT = Path(__file__).resolve().parent.parent
RISK = {"X-Api-Key": "demo-risk-key"}
PAYLOADS = [("2 KB JSON GET", "/api/v1/loans/1"),
            ("90 KB list GET", "/api/v1/borrowers?page=1&size=100")]


def variant(metrics: bool, audit_dir: str | None) -> Path:
    def change(data: dict[str, Any]) -> None:
        data["server"]["metrics"] = metrics
        if audit_dir is not None:
            data["audit"]["directory"] = audit_dir

    return edit_policy(default_policy(audit=audit_dir is not None), change)


def main() -> None:
    args = wrk_args(rounds=3)
    ensure_dev_keys(ROOT / "keys")
    audit_dir = tempfile.mkdtemp(prefix="pgw-audit-")
    up = free_port()
    upstream = f"http://127.0.0.1:{up}"
    procs = [start([PY, "-m", "gateway", "demo-upstream", "--listen", f"127.0.0.1:{up}"])]
    variants = {"metrics off, audit off": variant(False, None),
                "metrics on, audit off": variant(True, None),
                "metrics on, audit on (file)": variant(True, audit_dir)}
    ports = {name: free_port() for name in variants}
    results: dict[tuple[str, str], list[float]] = {}
    try:
        wait_http(upstream + "/api/v1/loans/1")
        for name, policy in variants.items():
            procs.append(start([PY, "-m", "gateway", "serve", "--policy", str(policy),
                                "--upstream", upstream, "--listen", f"127.0.0.1:{ports[name]}",
                                "--admin", f"127.0.0.1:{free_port()}", "--log-format", "json"]))
        for port in ports.values():
            wait_http(f"http://127.0.0.1:{port}/api/v1/loans/1")
        for label, path in PAYLOADS:
            for port in ports.values():
                wrk(f"http://127.0.0.1:{port}{path}", "GET", 1, args.connections, headers=RISK)
            for _ in range(args.rounds):
                for name, port in ports.items():
                    rps = wrk(f"http://127.0.0.1:{port}{path}", "GET", args.duration,
                              args.connections, headers=RISK)[0]
                    results.setdefault((label, name), []).append(rps)
    finally:
        stop(procs)
        audit_bytes = sum(f.stat().st_size for f in Path(audit_dir).glob("*.jsonl"))
        shutil.rmtree(audit_dir, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} cores; default policy, risk-engine role; wrk -t1 "
          f"-c{args.connections}, {args.rounds} rounds x {args.duration}s, interleaved; "
          f"medians; {audit_bytes / 1e6:.1f} MB of audit records written\n")
    print("| payload | gateway | req/s | vs both off |")
    print("|---|---|---:|---:|")
    for label, _ in PAYLOADS:
        base = statistics.median(results[(label, "metrics off, audit off")])
        for name in variants:
            rps = statistics.median(results[(label, name)])
            print(f"| {label} | {name} | {rps:,.0f} | {rps / base:.2f} |")


if __name__ == "__main__":
    main()
