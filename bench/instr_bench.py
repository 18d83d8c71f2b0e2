"""Instructions per request on the fixed path, counted by valgrind's callgrind.

This machine moves req/s and CPU time by 10-20 % from run to run, which
hides a feature costing 5 %; the instructions a process executes per request
do not move that way. Each row's process runs under `valgrind --tool=callgrind
--instr-atstart=no` (startup uninstrumented); after a warm-up, counting is
switched on (`callgrind_control -i on`) for `--duration` seconds of wrk load
(8 connections) and the counts dumped, then as long again without load: the
process's instructions per request served, less what it does without
requests (timers, probes; under valgrind a request takes ~10 ms, so a
second's background work is spread over few requests). The requests served
are those the process's HTTP server parsed while counting was on (the calls
of aiohttp's URL callback in the dump), not wrk's tally, which can miss the
counted window by several per cent (bench/README.md, 2026-12-04). Rows as
`cost_bench.py`'s, without Redis: the bare aiohttp proxy on uvloop, the
pass-through gateway without metrics and access log, + metrics, + the access
log, + the default policy's limits and detectors in memory; then the default
policy with every response revealing (the risk engine's key, no limits) and
+ the audit trail (a file sink; its writer thread is counted); ratios
against the bare proxy and the row above.

What it does not count: the kernel's work in system calls, cache misses and
stalls, other processes (the upstream, wrk, Redis). It is a complement to
`cost_bench.py`, not a stand-in: a row can execute as many instructions and
still run slower. About two minutes a row.

    python bench/instr_bench.py [--duration 10] [--only revealing,audit]
Needs valgrind (callgrind_control) and wrk (bench/run installs them).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cost_bench import PATH, RISK, passthrough, with_audit
from proxy_bench import PY, default_policy, free_port, start, stop, wait_http

from gateway.crypto.devkeys import ensure_dev_keys

ROOT = Path(__file__).resolve().parent.parent


def served(url: str, duration: int, headers: dict[str, str]) -> int:
    """Requests wrk completed in `duration` seconds (8 connections)."""
    sent = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{duration}s", "--timeout", "30s", *sent, url],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"(\d+) requests in", out)
    if m is None or "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk against {url}: {out}")
    return int(m.group(1))


URL_CALLBACK = "_http_parser_cb_on_url"  # aiohttp's C parser: once per request line


def parsed(dump: Path) -> int:
    """The requests the process's server parsed in a callgrind dump: the
    calls of aiohttp's URL callback (`calls=` lines under its `cfn=`)."""
    names: dict[str, str] = {}
    total, wanted = 0, False
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith(("cfn=", "fn=")):
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if m is None:
                continue
            if m.group(2):
                names[m.group(1)] = m.group(2)
            wanted = line.startswith("cfn=") and URL_CALLBACK in names.get(m.group(1), "")
        elif wanted and line.startswith("calls="):
            total += int(line.split()[0].removeprefix("calls="))
            wanted = False
    if total == 0:
        raise SystemExit(f"no call of aiohttp's {URL_CALLBACK} in {dump}: "
                         "is aiohttp running without its C extensions?")
    return total


def instructions(files: list[Path]) -> int:
    total = 0
    for f in files:
        for line in f.read_text().splitlines():
            if line.startswith("totals:"):
                total += int(line.split()[1])
    return total


def count(label: str, command: list[str], workdir: Path, duration: int,
          headers: dict[str, str] | None = None) -> float:
    """Instructions per request of `command` (a server on the port in it)."""
    port = int(command[command.index("--listen") + 1].rsplit(":", 1)[1]) \
        if "--listen" in command else int(command[2])
    out = workdir / re.sub(r"\W+", "-", label)
    proc = start(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                  f"--callgrind-out-file={out}.%p", *command])
    try:
        url = f"http://127.0.0.1:{port}{PATH}"
        wait_http(url, timeout=600)
        served(url, 3, headers or {})  # warm-up: caches, connections, the code paths taken
        pid = str(proc.pid)
        control("-i", "on", pid)
        n = served(url, duration, headers or {})
        control("-d", pid)  # dump 1: the load
        time.sleep(duration)
        control("-d", pid)  # dump 2: as long without load (timers, probes)
        control("-i", "off", pid)
    finally:
        stop([proc])
    load = instructions([Path(f"{out}.{pid}.1")])
    idle = instructions([Path(f"{out}.{pid}.2")])
    served_then = parsed(Path(f"{out}.{pid}.1"))
    if abs(served_then - n) > 0.02 * n:
        print(f"{label}: wrk counted {n} requests, the process parsed {served_then} "
              "while counting; per request uses the latter", file=sys.stderr)
    return (load - idle) / served_then


def prepared() -> tuple[list[subprocess.Popen[bytes]], str]:
    """The tools checked, the dev keys made, and the demo upstream the
    counted servers proxy to, answering: its process and its URL."""
    for tool in ("valgrind", "callgrind_control", "wrk"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install valgrind wrk (bench/run does)")
    ensure_dev_keys(ROOT / "keys")
    up = free_port()
    upstream = f"http://127.0.0.1:{up}"
    procs = [start([PY, "-m", "gateway", "demo-upstream", "--listen", f"127.0.0.1:{up}"])]
    try:
        wait_http(upstream + PATH)
    except BaseException:
        stop(procs)
        raise
    return procs, upstream


def control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True)


BARE = "bare aiohttp proxy on uvloop"
# each gateway row and the row it adds to (its "vs the row it adds to")
BASE = {
    "pass-through, no metrics, no access log": BARE,
    "+ metrics": "pass-through, no metrics, no access log",
    "+ access log": "+ metrics",
    "+ limits and detectors, memory": "+ access log",
    "default policy, every response revealing (no limits)": BARE,
    "+ audit trail": "default policy, every response revealing (no limits)",
}


def _counted(labels: list[str], only: str) -> list[str]:
    """The rows to count: all, or (`--only`) those whose label holds one of
    the comma-separated texts, each with the row it adds to (its ratio is
    against that row, never against whichever row was left)."""
    if not only:
        return labels
    wanted = {label for label in labels if any(p in label for p in only.split(","))}
    wanted |= {BASE[label] for label in wanted}
    return [label for label in labels if label in wanted]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--only", default="", help="count only the gateway rows whose label "
                        "holds this text, each with the row it is compared with, and the "
                        "bare proxy; e.g. 'audit' or 'memory'")
    args = parser.parse_args()
    procs, upstream = prepared()
    workdir = Path(tempfile.mkdtemp())
    rows: dict[str, float] = {}
    try:
        port = free_port()
        rows[BARE] = count(
            "bare", [PY, "bench/bare_proxy.py", str(port), upstream, "uvloop"], workdir,
            args.duration)
        gateways: dict[str, tuple[Path, dict[str, str]]] = {
            "pass-through, no metrics, no access log": (passthrough(False, False), {}),
            "+ metrics": (passthrough(True, False), {}),
            "+ access log": (passthrough(True, True), {}),
            "+ limits and detectors, memory": (passthrough(True, True, {}), {}),
            "default policy, every response revealing (no limits)": (default_policy(), RISK),
            "+ audit trail": (with_audit(default_policy(), str(workdir / "audit")), RISK),
        }
        assert list(gateways) == list(BASE), "every row names the row it adds to"
        for label in _counted(list(gateways), args.only):
            policy, headers = gateways[label]
            rows[label] = count(label, [
                PY, "-m", "gateway", "serve", "--policy", str(policy), "--upstream", upstream,
                "--listen", f"127.0.0.1:{free_port()}", "--admin", f"127.0.0.1:{free_port()}"],
                workdir, args.duration, headers)
    finally:
        stop(procs)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n2 KB JSON GET; wrk -t1 -c8, {args.duration}s counted after a 3 s warm-up; "
          "instructions of the proxy process (user space)\n")
    print("| proxy | instructions/req | vs bare proxy | vs the row it adds to |")
    print("|---|---:|---:|---:|")
    bare = rows[BARE]
    for label, ir in rows.items():
        base = BASE.get(label)
        # a row counted (`--only`) without the one its base adds to shows no step for it
        step = f"{ir / rows[base]:.3f}" if base in rows and base != BARE else ""
        print(f"| {label} | {ir:,.0f} | {ir / bare:.3f} | {step} |")


if __name__ == "__main__":
    main()
