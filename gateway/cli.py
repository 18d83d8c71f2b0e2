"""`pii-gateway` / `python -m gateway`: serve, demo, demo-upstream, policy, keys, scan."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from aiohttp import web

from gateway import eventloop
from gateway.auditcmd import add_parsers as add_audit_parsers
from gateway.explain import add_parser as add_explain_parser
from gateway.keycmd import add_parsers as add_key_parsers
from gateway.limitscmd import add_parsers as add_limits_parsers
from gateway.obs.logging import configure_logging, flush_logs, get_logger
from gateway.policy.compiled import NO_UPSTREAM, CompiledPolicy, compile_file
from gateway.policy.loader import PolicyError
from gateway.scan import add_parser as add_scan_parser

DEFAULT_POLICY = Path("policies/default.yaml")
DEMO_UPSTREAM = "127.0.0.1:8081"


def _load(path: Path, upstream: str | None) -> CompiledPolicy:
    return compile_file(path, upstream)


def _exit_now() -> None:
    """After the drain (or the grace period), exit. A body still being
    inspected on a worker thread must not keep the process alive: asyncio.run
    would wait for its executor without limit."""
    flush_logs()
    os._exit(0)


def _loop(args: argparse.Namespace) -> eventloop.LoopFactory | None:
    _, factory = eventloop.loop_factory(eventloop.requested(args.loop))
    return factory


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        policy = _load(args.policy, args.upstream)
        factory = _loop(args)
    except (PolicyError, eventloop.LoopUnavailable) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    configure_logging(args.log_format or policy.log_format, policy.log_level,
                      worker=args.worker_id)
    if args.workers > 1:
        from gateway.server.workers import supervise

        if policy.limits is not None and policy.limits.store_url == "memory":
            get_logger("gateway.ratelimit").warning(
                "ratelimit_per_worker", workers=args.workers,
                action="use a redis:// store so limits hold across workers")

        passthrough = ["--policy", str(args.policy)]
        for flag in ("upstream", "listen", "admin", "log_format", "loop"):
            value = getattr(args, flag)
            if value:
                passthrough += [f"--{flag.replace('_', '-')}", value]
        return supervise(args.workers, passthrough)
    from gateway.server.runtime import GatewayServer

    async def main() -> None:
        server = GatewayServer(policy, policy_path=args.policy, upstream_url=args.upstream,
                               worker_id=args.worker_id, reuse_port=args.reuse_port,
                               listen=args.listen, admin=args.admin)
        await server.start()
        await server.run_until_signalled()
        _exit_now()

    eventloop.run(main(), factory)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo.app import create_demo_app
    from gateway.server.runtime import GatewayServer

    upstream_url = f"http://{args.upstream_listen}"
    try:
        policy = _load(args.policy, upstream_url)
        factory = _loop(args)
    except (PolicyError, eventloop.LoopUnavailable) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    configure_logging(policy.log_format, policy.log_level)
    listen = args.listen or policy.server.listen
    admin = args.admin or policy.server.admin
    print(_demo_banner(listen, admin, args.upstream_listen), flush=True)

    async def main() -> None:
        server = GatewayServer(policy, policy_path=args.policy, upstream_url=upstream_url,
                               listen=listen, admin=admin,
                               extra_apps=((create_demo_app(), args.upstream_listen),))
        await server.start()
        await server.run_until_signalled()
        _exit_now()

    eventloop.run(main(), factory)
    return 0


def _demo_banner(listen: str, admin: str, upstream: str) -> str:
    gw = f"http://{listen}"
    return "\n".join([
        f"pii-gateway demo: gateway {gw} -> demo lending API http://{upstream}",
        "Try:",
        f"  curl -s {gw}/api/v1/borrowers?page=1\\&size=2          # masked: unknown caller",
        f"  curl -s {gw}/api/v1/borrowers?page=1\\&size=2 -H 'X-Api-Key: demo-risk-key'",
        f"  curl -s {gw}/api/v1/borrowers?page=1\\&size=2 -H 'X-Api-Key: demo-collections-key'",
        f"  curl -s {gw}/api/v1/loans/7",
        "Field encryption (README: \"Field encryption\"):",
        f"  curl -s -XPOST {gw}/api/v1/loan-applications -H 'Content-Type: application/json' \\",
        "       -d '{\"applicationNo\":\"A20261129001\",\"applicant\":{\"name\":\"张三\","
        "\"idNo\":\"11010519491231002X\",\"bankCard\":\"6222021234567890128\","
        "\"mobile\":\"13800138000\"}}'",
        f"  curl -s http://{upstream}/api/v1/loans/100001      # stored: ciphertext",
        f"  curl -s {gw}/api/v1/loans/100001 -H 'X-Api-Key: demo-risk-key'        # plaintext",
        f"  curl -s {gw}/api/v1/loans/100001 -H 'X-Api-Key: demo-collections-key' # masked",
        f"  curl -s http://{admin}/readyz",
        "Stop with Ctrl-C.",
    ])


def cmd_demo_upstream(args: argparse.Namespace) -> int:
    from gateway.demo.app import create_demo_app

    configure_logging("auto", "info")
    host, _, port = args.listen.rpartition(":")
    web.run_app(create_demo_app(), host=host, port=int(port), access_log=None,
                print=lambda *_: None)
    return 0




def cmd_policy_check(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            # Compile too: operators, rules and recognizers are checked there. A
            # missing `default` URL is fine here (serve --upstream supplies it).
            compile_file(path, NO_UPSTREAM)
        except PolicyError as exc:
            failed += 1
            for issue in exc.issues:
                print(issue, file=sys.stderr)
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pii-gateway", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the gateway")
    s.add_argument("--upstream", help="URL of the upstream named 'default' (sidecar shorthand)")
    s.add_argument("--listen", help="HOST:PORT for traffic (overrides server.listen)")
    s.add_argument("--admin", help="HOST:PORT for /healthz, /readyz, /version")
    s.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    s.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    s.add_argument("--log-format", choices=("auto", "json", "console"))
    s.add_argument("--loop", choices=eventloop.CHOICES,
                   help=f"event loop (default: ${eventloop.ENV} or auto = uvloop if installed)")
    s.add_argument("--worker-id", type=int, default=0, help=argparse.SUPPRESS)
    s.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_serve)

    d = sub.add_parser("demo", help="run the demo lending API behind the gateway")
    d.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    d.add_argument("--listen", help="gateway HOST:PORT (default from the policy)")
    d.add_argument("--admin", help="admin HOST:PORT (default from the policy)")
    d.add_argument("--upstream-listen", default=DEMO_UPSTREAM)
    d.add_argument("--loop", choices=eventloop.CHOICES, help="event loop (as for serve)")
    d.set_defaults(func=cmd_demo)

    u = sub.add_parser("demo-upstream", help="run the demo lending API alone")
    u.add_argument("--listen", default=DEMO_UPSTREAM)
    u.set_defaults(func=cmd_demo_upstream)

    pol = sub.add_parser("policy", help="policy tools")
    psub = pol.add_subparsers(dest="policy_command", required=True)
    c = psub.add_parser("check", help="validate policy files; exit 1 on any error")
    c.add_argument("files", nargs="+", type=Path)
    c.set_defaults(func=cmd_policy_check)
    add_explain_parser(psub)
    add_key_parsers(sub)
    add_limits_parsers(sub)
    add_audit_parsers(sub)
    add_scan_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "workers", 1) < 1:
        print("--workers must be >= 1", file=sys.stderr)
        return 2
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
