"""How low the memory store's limit stage could go: its parts on the server, by instructions.

`instr_bench.py`'s memory row (the default policy's limits and detectors in
memory, every limit raised) against its access-log row, counted the same way
(callgrind, wrk -c8, per request the server parsed), with the server patched
at start (`--serve`, below) to show what the row's cost is made of:

- `stage`: the gateway as it is;
- `floor`: the stage's two halves replaced by the least Python that does
  the same work for this request: the client's plan, the native table's
  `admit` (the path's id counted for the enumeration detector, its keyed
  digest, penalties, the bucket), the metric, the access line's decision and
  the RateLimit headers, then the table's `observe` of the probing count.
  No branch for anything this request does not meet (a refusal, a firing
  detector, Redis): a lower bound for any rewrite of the glue, not a stage;
- `floor` less one part each (`no-headers`, `no-log`, `no-admit`,
  `no-observe`), and less both halves (`no-stage`: what remains is the
  caller's identity and roles, which the limits policy adds).

Each part's cost is the floor less that row. The target of issue 16 (limits
in memory at most 5 % below limits off) is a share of the access-log row.
About two minutes a row.

    python bench/stage_floor.py [--duration 10] [--only floor,no-stage]
Needs valgrind (callgrind_control) and wrk (bench/run installs them).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROWS = ["stage", "floor", "no-headers", "no-log", "no-admit", "no-observe", "no-stage"]


def _patch(variant: str) -> None:
    """The server's limit stage replaced as `variant` says (see above)."""
    import gateway.proxy.handler as handler
    from gateway.exchange import LimitDecision
    from gateway.obs.metrics import RATELIMIT_DECISIONS
    from gateway.ratelimit.plan import plan_for
    from gateway.ratelimit.store import Verdict

    if variant == "stage":
        return
    new, clock, counts = tuple.__new__, time.time, RATELIMIT_DECISIONS.values
    fixed = Verdict(True, 0.0, (100,), -1, "", 0.0, False, (1, 1))

    def before_request(ex: Any, route: Any, holder: Any, path: str, query: str) -> None:
        plan = ex.limit_plan = plan_for(ex.policy.limits, ex.caller.identity, route.name,
                                        ex.method)
        if variant == "no-admit":
            verdict, index = fixed, 0
        else:
            verdict, _, _, index = holder.store._table.admit(plan.limits, path, clock())
        limit, dimension = plan.chosen[index]
        left = verdict.remaining[index]
        row = plan.allowed[0]
        counts[row] = counts.get(row, 0) + 1
        if variant != "no-log":
            ex.limits.append(new(LimitDecision, ("allowed", limit.name, dimension, left)))
        if variant != "no-headers":
            ex.rate_headers = limit.headers(left)

    def after_response(ex: Any, route: Any, holder: Any, status: int, values: Any) -> None:
        if variant != "no-observe":
            holder.store._table.observe(ex.limit_plan.probing_ops, clock())

    # the handler's own names for the two halves (it imported them by name)
    if variant == "no-stage":
        setattr(handler, "before_request", lambda *_: None)  # noqa: B010
        setattr(handler, "after_response", lambda *_: None)  # noqa: B010
    else:
        setattr(handler, "before_request", before_request)  # noqa: B010
        setattr(handler, "after_response", after_response)  # noqa: B010


def main() -> None:
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--only", default="", help="rows to count (comma-separated): "
                        + ", ".join(ROWS))
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.serve is not None:  # the measured server, patched
        _patch(args.serve)
        from gateway.cli import main as gateway_main
        sys.argv = [sys.argv[0], *rest]
        raise SystemExit(gateway_main())

    from cost_bench import passthrough
    from instr_bench import count, prepared
    from proxy_bench import PY, free_port, stop

    chosen = [r for r in args.only.split(",") if r] or ROWS
    if unknown := set(chosen) - set(ROWS):
        raise SystemExit(f"unknown rows: {', '.join(sorted(unknown))}")
    procs, upstream = prepared()
    workdir = Path(tempfile.mkdtemp())
    rows: dict[str, float] = {}
    try:
        for label in ["access log", *chosen]:
            policy = passthrough(True, True, None if label == "access log" else {})
            rows[label] = count(label, [
                PY, __file__, "--serve", "stage" if label == "access log" else label,
                "serve", "--policy", str(policy), "--upstream", upstream,
                "--listen", f"127.0.0.1:{free_port()}", "--admin", f"127.0.0.1:{free_port()}"],
                workdir, args.duration)
    finally:
        stop(procs)
        shutil.rmtree(workdir, ignore_errors=True)
    base = rows.pop("access log")
    print(f"\n2 KB JSON GET; wrk -t1 -c8, {args.duration}s counted; instructions of the "
          f"gateway process; the access-log row (limits off): {base:,.0f} a request\n")
    print("| row | instructions/req | over limits off | share of limits off | "
          "the part (floor less the row) |")
    print("|---|---:|---:|---:|---:|")
    floor = rows.get("floor")
    for label, ir in rows.items():
        part = (f"{floor - ir:,.0f}" if floor is not None and label.startswith("no-")
                else "")
        print(f"| {label} | {ir:,.0f} | {ir - base:,.0f} | {(ir - base) / base:.2%} | {part} |")


if __name__ == "__main__":
    main()
