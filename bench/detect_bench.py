"""Detection speed: the gateway's detector against vanilla presidio, one core.

Payloads: a 2 KB loan application and a 100 KB borrower-list page from the demo
data. Each string (and number) leaf is analysed:
- vanilla presidio: AnalyzerEngine with its default recognizers and the no-op
  NLP engine, `analyze` per leaf (the baseline);
- presidio + our recognizers: AnalyzerEngine.analyze per leaf with the
  gateway's recognizers and NLP engine (the reference path);
- gateway detector: `Detector.detect_many` over all leaves of the body, on the
  native core (when built) and on the pure-Python path (`python_many`).
Rounds are interleaved; the table shows medians. Recall is the share of the
personal-data leaves (by field name) whose whole value some finding covers.

    .venv/bin/python bench/detect_bench.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import tldextract
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from presidio_analyzer.predefined_recognizers.generic import email_recognizer

from gateway.demo import data
from gateway.detect import Detector
from gateway.detect.engine import analyze, build_engine

SEED = 20261128
PII_KEYS = {"name", "idNo", "mobile", "email", "bankCard", "address", "companyPhone",
            "companyAddress", "registerIp", "cardNo", "contactMobile", "applicantName"}
Leaf = tuple[str, tuple[str, ...]]


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    elif isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        yield str(value), path[-2:]


def loan_application() -> dict[str, Any]:
    b = data.borrower(SEED, 42)
    return {"applicant": {k: b[k] for k in ("name", "idNo", "mobile", "email", "address",
                                            "employer", "monthlyIncome")},
            "kyc": b["kyc"], "emergencyContact": b["emergencyContact"],
            "loan": {"amount": 50000, "termMonths": 12, "purpose": "装修", "productCode": "CL-01"},
            "disbursement": {"bankCard": b["bankCard"], "bankName": b["bankName"],
                             "cardNo": b["bankCard"], "applicantName": b["name"]},
            "device": {"os": "android", "appVersion": "5.2.1", "deviceId": b["kyc"]["deviceId"]},
            "consents": ["credit_report", "privacy_policy", "data_sharing"],
            "references": [{"name": c["name"], "mobile": c["mobile"], "relation": "同事"}
                           for c in (data.borrower(SEED, 7)["emergencyContact"],
                                     data.borrower(SEED, 8)["emergencyContact"])],
            "schedulePreview": [{"period": i, "dueDate": f"2027-{i:02d}-15", "amount": 4533.33}
                                for i in range(1, 7)],
            "channel": {"source": "app", "campaign": "spring-2026", "agentCode": "A10023"},
            "remark": f"申请人{b['name']}，手机{b['mobile']}，现住址：{b['address']}，"
                      f"希望尽快放款到尾号{b['bankCard'][-4:]}的银行卡。"}


def borrower_page() -> dict[str, Any]:
    items = [data.borrower(SEED, i) for i in range(1, 101)]
    return {"page": 1, "size": 100, "total": 5000, "items": items}


def vanilla_engine() -> AnalyzerEngine:
    # tldextract would fetch the public-suffix list; use its bundled snapshot.
    offline = tldextract.TLDExtract(suffix_list_urls=())
    email_recognizer.tldextract = types.SimpleNamespace(extract=offline)
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"])
    registry.remove_recognizer(SpacyRecognizer.__name__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AnalyzerEngine(registry=registry, supported_languages=["en"],
                              nlp_engine=NoOpNlpEngine([{"lang_code": "en", "model_name": "none"}]))


def recall(items: list[Leaf], findings: list[list[tuple[int, int]]]) -> float:
    wanted = [i for i, (_, path) in enumerate(items) if path and path[-1] in PII_KEYS]
    hit = sum(1 for i in wanted if any(s == 0 and e >= len(items[i][0]) for s, e in findings[i]))
    return hit / len(wanted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    detector = Detector()
    vanilla = vanilla_engine()
    reference = build_engine(detector.recognizers, detector.settings.default_threshold)

    def run_vanilla(items: list[Leaf]) -> list[list[tuple[int, int]]]:
        return [[(r.start, r.end) for r in vanilla.analyze(text, language="en")]
                for text, _ in items]

    def run_reference(items: list[Leaf]) -> list[list[tuple[int, int]]]:
        return [[(s, e) for _, s, e, _, _ in analyze(reference, text, detector.context(hints))]
                for text, hints in items]

    def run_gateway(items: list[Leaf]) -> list[list[tuple[int, int]]]:
        return [[(f.start, f.end) for f in found] for found in detector.detect_many(items)]

    def run_python(items: list[Leaf]) -> list[list[tuple[int, int]]]:
        return [[(f.start, f.end) for f in found] for found in detector.python_many(items)]

    runners: dict[str, Callable[[list[Leaf]], list[list[tuple[int, int]]]]] = {
        "vanilla presidio": run_vanilla, "presidio + our recognizers": run_reference,
        "gateway detector, Python path": run_python}
    if detector.native is not None:
        runners["gateway detector, native core"] = run_gateway
    payloads = {"loan application": loan_application(), "borrower list": borrower_page()}
    print(f"detection, one core, {args.rounds} rounds interleaved; medians\n")
    print("| payload | bytes | leaves | engine | latency ms | MB/s | x vanilla | recall |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for label, payload in payloads.items():
        body = json.dumps(payload, ensure_ascii=False).encode()
        items = list(leaves(json.loads(body)))
        times: dict[str, list[float]] = {name: [] for name in runners}
        recalls: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, run in runners.items():
                started = time.perf_counter()
                found = run(items)
                times[name].append(time.perf_counter() - started)
                recalls[name] = recall(items, found)
        base = statistics.median(times["vanilla presidio"])
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"| {label} | {len(body):,} | {len(items):,} | {name} | {median * 1000:.2f} | "
                  f"{len(body) / median / 1e6:.2f} | {base / median:.0f} | {recalls[name]:.0%} |")


if __name__ == "__main__":
    main()
