"""Inspection speed in one process: the native core against the pure-Python
path on the same bodies and plans, and the core stage by stage.

Bodies come from the demo lending API's data: a 2 KB loan detail, the 100- and
200-record borrower pages (90 and 180 KB), a loan-application POST and a page
of collection tasks (free-text notes). Plans are the default policy's:
an unknown caller (everything masked), the collections role (names kept,
mobiles masked, the rest removed) and the risk engine (everything shown, the
values collected for the audit trail). Each row is the median of interleaved
rounds; stages are cumulative stops inside the core (parse; + walk and
per-path decisions; + pattern scan without checks; + checks, scores,
duplicates; + overlaps and operators; + encode). A last table sets the
default policy against the same policy with `detection.prose_names: false`
(names in prose without a cue), native path, unknown caller.

    .venv/bin/python bench/inspect_bench.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import json
import statistics
import time
from collections.abc import Callable

from proxy_bench import POST_BODY, default_policy

from gateway.codecs.registry import decode_body
from gateway.demo import data
from gateway.demo.app import _borrower_page, _loan
from gateway.native import STATUS, core
from gateway.policy.compiled import CompiledPolicy, compile_policy
from gateway.policy.loader import load_policy_file
from gateway.protect.engine import protect
from gateway.protect.native_json import native_json, protect_json
from gateway.protect.rules import RulePlan

SEED = 20261128
STAGES = ("parse", "walk", "scan", "validate", "apply", "encode")  # core stops 1..5, then all


def payloads() -> dict[str, tuple[str, bytes]]:
    """label -> (direction, body)."""
    tasks = [data.collection_task(SEED, i, 1000) for i in range(1, 101)]
    two_pages = json.loads(_borrower_page(SEED, 1, 100))
    two_pages["items"] += json.loads(_borrower_page(SEED, 2, 100))["items"]
    two_pages["size"] = 200
    return {
        "2 KB loan detail": ("response", _loan(SEED, 1)),
        "90 KB borrower page (100 records)": ("response", _borrower_page(SEED, 1, 100)),
        "180 KB borrower page (200 records)":
            ("response", json.dumps(two_pages, ensure_ascii=False).encode()),
        "collection tasks (100, free-text notes)":
            ("response", json.dumps({"items": tasks}, ensure_ascii=False).encode()),
        "1.4 KB loan application (request)": ("request", POST_BODY.encode()),
    }


def python_path(policy: CompiledPolicy, plan: RulePlan, body: bytes, collect: bool) -> None:
    document = decode_body(body, "application/json")
    if protect(document, plan, policy.detector, collect=collect).changed:
        document.encode()


def median_ms(run: Callable[[], object], rounds: int, inner: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(inner):
            run()
        samples.append((time.perf_counter() - began) / inner * 1000)
    return samples


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--rounds", type=int, default=15)
    rounds = args.parse_args().rounds
    if core is None:
        raise SystemExit(f"the native core is not available: {STATUS}")
    policy = compile_policy(load_policy_file(default_policy()), upstream_url="http://127.0.0.1:9")
    roles = {"anonymous": False, "collections": False, "risk_engine": True}
    gc.freeze()  # as the gateway does at start (server/runtime.py: tune_gc)
    gc.set_threshold(700, 100, 1000)
    rows, stages = [], []
    prose = prose_rows(rounds)
    for label, (direction, body) in payloads().items():
        method = "GET" if direction == "response" else "POST"
        for role, collect in roles.items():
            plan = policy.protection.plan("lending-api", method, direction, role)
            native = native_json(plan, policy.detector)
            assert native is not None
            inner = max(1, 200_000 // len(body))
            runs: dict[str, Callable[[], object]] = {
                "python": functools.partial(python_path, policy, plan, body, collect)}
            for stage, name in enumerate(STAGES, start=1):
                stop = 0 if stage == len(STAGES) else stage
                runs[name] = functools.partial(protect_json, native, [body], None, collect, stop)
            for run in runs.values():  # warm-up: per-path decisions, caches
                run()
            samples: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(rounds):  # interleaved
                for name, run in runs.items():
                    samples[name] += median_ms(run, 1, inner if name != "python" else
                                               max(1, inner // 10))
            med = {name: statistics.median(s) for name, s in samples.items()}
            rows.append((label, role, len(body), med["python"], med["encode"]))
            if role == "anonymous":
                stages.append((label, med))
    print(f"inspection in one process, default policy; {rounds} interleaved rounds, medians;"
          f" native core: {STATUS}\n")
    print("| payload | caller | bytes | Python path ms | native ms | native MB/s | x Python |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, role, size, python, native_ms in rows:
        print(f"| {label} | {role} | {size:,} | {python:.2f} | {native_ms:.3f} | "
              f"{size / native_ms / 1000:.1f} | {python / native_ms:.0f} |")
    print("\nnative core by stage (unknown caller; ms, each stage's own share in brackets)\n")
    print("| payload | " + " | ".join(STAGES) + " | MB/s |")
    print("|---|" + "---:|" * (len(STAGES) + 1))
    for label, med in stages:
        cells, before = [], 0.0
        for name in STAGES:
            cells.append(f"{med[name]:.3f} ({max(med[name] - before, 0):.3f})")
            before = med[name]
        size = len(payloads()[label][1])
        print(f"| {label} | " + " | ".join(cells) + f" | {size / med['encode'] / 1000:.1f} |")
    print("\nnames in prose (native path, unknown caller; ms)\n")
    print("| payload | prose_names off | on | on / off |")
    print("|---|---:|---:|---:|")
    for label, off, on in prose:
        print(f"| {label} | {off:.3f} | {on:.3f} | {on / off:.2f} |")


def prose_rows(rounds: int) -> list[tuple[str, float, float]]:
    """(payload, ms with the prose pass off, ms with it on), interleaved."""
    policies = {}
    for switch in (False, True):  # as `detection.prose_names: false` compiles
        loaded = load_policy_file(default_policy())
        detection = loaded.model.detection.model_copy(update={"prose_names": switch})
        loaded = dataclasses.replace(
            loaded, model=loaded.model.model_copy(update={"detection": detection}))
        policies[switch] = compile_policy(loaded, upstream_url="http://127.0.0.1:9")
    assert not policies[False].detector.prose
    assert policies[True].detector.prose
    out = []
    for label, (direction, body) in payloads().items():
        method = "GET" if direction == "response" else "POST"
        runs = {}
        for switch, policy in policies.items():
            plan = policy.protection.plan("lending-api", method, direction, "anonymous")
            native = native_json(plan, policy.detector)
            assert native is not None
            runs[switch] = functools.partial(protect_json, native, [body], None, False, 0)
            runs[switch]()
        inner = max(1, 200_000 // len(body))
        samples: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for switch, run in runs.items():
                samples[switch] += median_ms(run, 1, inner)
        out.append((label, statistics.median(samples[False]), statistics.median(samples[True])))
    return out


if __name__ == "__main__":
    main()
