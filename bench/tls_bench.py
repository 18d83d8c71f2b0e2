"""The TLS listener's cost against plain HTTP, in one run.

Starts the demo upstream and the gateway four ways (pass-through and default
policy, each on plain HTTP and on HTTPS), plus the default policy with mutual
TLS switched on (client_auth optional), then drives each with wrk, interleaved
round by round. Two loads: keep-alive requests (the steady-state cost of
encryption) and `Connection: close` (a TLS 1.3 handshake per request, ECDSA
P-256). wrk cannot present a client certificate, so the per-request cost of
mapping one to a role is timed in-process below the table.

    python bench/tls_bench.py [--rounds 5] [--duration 5] [--connections 32]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

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

from gateway.tls.devcerts import issue, new_ca, write_dev_tls
from gateway.tls.peer import CertificateRoles, peer_certificate

PATH = "/api/v1/loans/1"
LOADS = [("2 KB GET, keep-alive", {}), ("2 KB GET, new connection each", {"Connection": "close"})]


def _tls(directory: Path, mutual: bool) -> dict[str, Any]:
    tls: dict[str, Any] = {"cert": str(directory / "server.crt"),
                           "key": str(directory / "server.key")}
    if mutual:
        tls.update(client_ca=str(directory / "ca.crt"), client_auth="optional")
    return tls


def role_mapping_us() -> float:
    """Per request with a client certificate: its identity (cached) and role."""
    ca = new_ca("bench")
    der = issue(ca, "partner-a", organization="Bank A", client=True).cert.public_bytes(
        serialization.Encoding.DER)
    roles = CertificateRoles.of({"CN=partner-a,O=Bank A": "partner"})
    n = 200_000
    seconds = min(timeit.repeat(lambda: roles.role_for(peer_certificate(der)), number=n,
                                repeat=5))
    return seconds / n * 1e6


def main() -> None:
    args = wrk_args(rounds=5)
    directory = Path(tempfile.mkdtemp(prefix="bench-tls-"))
    write_dev_tls(directory)
    up = free_port()
    upstream = f"http://127.0.0.1:{up}"
    procs = [start([PY, "-m", "gateway", "demo-upstream", "--listen", f"127.0.0.1:{up}"])]
    targets: dict[str, str] = {}
    passthrough = Path("policies/examples/passthrough.yaml").resolve()
    variants = [("pass-through, HTTP", passthrough, None),
                ("pass-through, HTTPS", passthrough, False),
                ("default policy, HTTP", None, None),
                ("default policy, HTTPS", None, False),
                ("default policy, HTTPS + mTLS optional", None, True)]
    try:
        wait_http(upstream + PATH)
        for label, base, mutual in variants:
            if base is None:
                path = default_policy()
            else:
                path = Path(tempfile.mkstemp(suffix=".yaml")[1])
                path.write_text(base.read_text())
            if mutual is not None:
                tls = _tls(directory, mutual)
                edit_policy(path, lambda d, tls=tls: d.setdefault("server", {}).update(tls=tls))
            port = free_port()
            procs.append(start([PY, "-m", "gateway", "serve", "--policy", str(path),
                                "--upstream", upstream, "--listen", f"127.0.0.1:{port}",
                                "--admin", f"127.0.0.1:{free_port()}", "--log-format", "json"]))
            scheme = "https" if mutual is not None else "http"
            targets[label] = f"{scheme}://127.0.0.1:{port}"
        for url in targets.values():
            wait_http(url.replace("https://", "http://") + PATH) if url.startswith("http:") \
                else _wait_https(url + PATH, directory / "ca.crt")
        results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        for load, headers in LOADS:
            for url in targets.values():  # warm-up
                wrk(url + PATH, "GET", 1, args.connections, headers=headers)
            for _ in range(args.rounds):
                for label, url in targets.items():
                    results.setdefault((load, label), []).append(
                        wrk(url + PATH, "GET", args.duration, args.connections, headers=headers))
    finally:
        stop(procs)
    print(f"\nwrk -t1 -c{args.connections}, {args.rounds} rounds x {args.duration}s, "
          "interleaved; medians. TLS 1.3, ECDSA P-256.\n")
    print("| load | gateway | req/s | p50 ms | p99 ms | vs the same policy on HTTP |")
    print("|---|---|---:|---:|---:|---:|")
    for load, _ in LOADS:
        for label in targets:
            rs = results[(load, label)]
            rps = statistics.median(r[0] for r in rs)
            plain = label.split(",")[0] + ", HTTP"
            base = statistics.median(r[0] for r in results[(load, plain)])
            print(f"| {load} | {label} | {rps:,.0f} | {statistics.median(r[1] for r in rs):.2f} "
                  f"| {statistics.median(r[2] for r in rs):.2f} | {rps / base:.3f} |")
    print(f"\nclient certificate -> role, per request (in-process, best of 5): "
          f"{role_mapping_us():.2f} us")


def _wait_https(url: str, ca: Path) -> None:
    import ssl
    import time
    import urllib.request
    ctx = ssl.create_default_context(cafile=str(ca))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1, context=ctx):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"not up: {url}")


if __name__ == "__main__":
    main()
