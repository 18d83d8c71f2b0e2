"""What field encryption costs: operators alone, and the gateway with it on.

1. Operators, in one process: operations per second of encrypt,
   encrypt_deterministic, fpe and decrypt (each scheme), against `mask` as the
   baseline, medians of 7 rounds.
2. The gateway: the default policy (encryption rules on) against the same
   policy without its encrypt/decrypt rules (masking only: the protection
   pipeline's throughput) and against the bare proxy, driven by wrk:
   - the loan-application POST (the ID and card are encrypted on the way in);
   - a 100-record list of stored applications read by the risk engine (the
     ciphertexts are decrypted on the way out; without encryption the
     upstream holds the plaintext and returns the same response).

    python bench/crypto_bench.py [--rounds 3] [--duration 5] [--connections 32]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_bench import ROOT, default_policy, free_port, start, stop, wait_http, wrk, wrk_args

from gateway.codecs.base import Leaf
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.keyring import load_keyring
from gateway.operators.base import OperatorContext
from gateway.operators.registry import build_operator
from gateway.operators.site import Records, Site

PY = sys.executable
RISK = {"X-Api-Key": "demo-risk-key"}
ID, CARD = "11010519491231002X", "6222021234567890128"


def application(number: int) -> dict[str, object]:
    return {"applicationNo": f"A{number:08d}", "applicant": {
        "name": "张三", "idNo": ID, "bankCard": CARD, "mobile": "13800138000",
        "address": "北京市朝阳区建国路88号1栋1001室", "employer": "北京华信咨询有限公司"},
        "loan": {"amount": 50000, "termMonths": 12, "purpose": "装修"},
        "notes": "申请人自述收入稳定" * 40}


def ops_per_second(fn: Callable[[], object], n: int = 5000, rounds: int = 7) -> float:
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n / (time.perf_counter() - started))
    return statistics.median(rates)


def operator_table(keys_dir: Path) -> None:
    keys = load_keyring(keys_dir / "keystore.json", keys_dir / "master.key", None)
    context = OperatorContext(keys=keys)
    site = Site("lending", ("applicant", "idNo"),
                Records([Leaf(("applicationNo",), "A00000001")], frozenset({"applicationNo"})))
    params = {"record_key": "applicationNo"}

    def make(name: str, **extra: object) -> Callable[[str], str]:
        op = build_operator(name, {**params, **extra} if name != "mask" else {}, context)
        return lambda value: op.apply(value, "CN_RESIDENT_ID", site)

    enc, det, fpe = make("encrypt")(ID), make("encrypt_deterministic")(ID), make("fpe")(ID)
    rows = [
        ("mask (baseline)", make("mask"), ID),
        ("encrypt (AES-256-GCM)", make("encrypt"), ID),
        ("encrypt_deterministic (AES-SIV)", make("encrypt_deterministic"), ID),
        ("fpe (FF1, 18 digits)", make("fpe"), ID),
        ("decrypt pgw1 (GCM)", make("decrypt"), enc),
        ("decrypt pgw1d (SIV)", make("decrypt"), det),
        ("decrypt fpe", make("decrypt", fpe=True), fpe),
    ]
    results = [(label, ops_per_second(lambda f=fn, v=value: f(v))) for label, fn, value in rows]
    base = results[0][1]
    print("\n| operator | ops/s | µs/op | vs mask |")
    print("|---|---:|---:|---:|")
    for label, rate in results:
        print(f"| {label} | {rate:,.0f} | {1e6 / rate:.1f} | {rate / base:.2f} |")


def post_json(url: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 201


def main() -> None:
    args = wrk_args(rounds=3)
    ensure_dev_keys(ROOT / "keys")
    operator_table(ROOT / "keys")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk (bench/run does it)")

    up_plain, up_enc, bare, gw_mask, gw_enc = (free_port() for _ in range(5))
    procs = [start([PY, "-m", "gateway", "demo-upstream", "--listen", f"127.0.0.1:{port}"])
             for port in (up_plain, up_enc)]
    try:
        for port in (up_plain, up_enc):
            wait_http(f"http://127.0.0.1:{port}/api/v1/loans/1")
        procs.append(start([PY, "bench/bare_proxy.py", str(bare), f"http://127.0.0.1:{up_plain}"]))
        for port, policy, up in ((gw_mask, default_policy(encryption=False), up_plain),
                                 (gw_enc, default_policy(), up_enc)):
            procs.append(start([PY, "-m", "gateway", "serve", "--policy", str(policy),
                                "--upstream", f"http://127.0.0.1:{up}", "--listen",
                                f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{free_port()}",
                                "--log-format", "json"]))
        targets = {"bare aiohttp proxy": bare, "gateway, masking only": gw_mask,
                   "gateway, encryption policy": gw_enc}
        for port in targets.values():
            wait_http(f"http://127.0.0.1:{port}/api/v1/loans/1")
        for i in range(100):  # stored plaintext upstream / ciphertext through the gateway
            post_json(f"http://127.0.0.1:{up_plain}/api/v1/loan-applications", application(i))
            post_json(f"http://127.0.0.1:{gw_enc}/api/v1/loan-applications", application(i))
        post_body = json.dumps(application(999), ensure_ascii=False)
        payloads = [  # the list first: POSTs add applications
            ("100-record list, risk role (decrypt)", "GET",
             "/api/v1/loan-applications?page=1&size=100", RISK),
            (f"loan-application POST ({len(post_body.encode()):,} B, encrypt)", "POST",
             "/api/v1/loan-applications", {}),
        ]
        results: dict[tuple[str, str], list[float]] = {}
        for label, method, path, headers in payloads:
            for port in targets.values():
                wrk(f"http://127.0.0.1:{port}{path}", method, 1, args.connections, post_body,
                    headers)
            for _ in range(args.rounds):
                for name, port in targets.items():
                    rps = wrk(f"http://127.0.0.1:{port}{path}", method, args.duration,
                              args.connections, post_body, headers)[0]
                    results.setdefault((label, name), []).append(rps)
    finally:
        stop(procs)

    print(f"\nmachine: {os.cpu_count()} cores; wrk -t1 -c{args.connections}, {args.rounds} "
          f"rounds x {args.duration}s, interleaved; medians\n")
    print("| payload | target | req/s | vs bare proxy | vs masking only |")
    print("|---|---|---:|---:|---:|")
    for label, *_ in payloads:
        bare_rps = statistics.median(results[(label, "bare aiohttp proxy")])
        mask_rps = statistics.median(results[(label, "gateway, masking only")])
        for name in targets:
            rps = statistics.median(results[(label, name)])
            print(f"| {label} | {name} | {rps:,.0f} | {rps / bare_rps:.2f} | "
                  f"{rps / mask_rps:.2f} |")


if __name__ == "__main__":
    main()
