"""`pii-gateway serve`: run the gateway (one process, or N workers sharing the port)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gateway import eventloop
from gateway.cli.common import DEFAULT_POLICY, exit_now, loop_factory
from gateway.obs.logging import configure_logging, get_logger
from gateway.policy.compiled import compile_file
from gateway.policy.loader import PolicyError


def workers(value: str) -> int:
    """`--workers N`, or `auto`: the cores this process may run on."""
    if value == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a number, or auto") from None


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        policy = compile_file(args.policy, args.upstream)
        factory = loop_factory(args)
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
        exit_now()

    eventloop.run(main(), factory)
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("serve", help="run the gateway")
    s.add_argument("--upstream", help="URL of the upstream named 'default' (sidecar shorthand)")
    s.add_argument("--listen", help="HOST:PORT for traffic (overrides server.listen)")
    s.add_argument("--admin", help="HOST:PORT for /healthz, /readyz, /version")
    s.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    s.add_argument("--workers", type=workers, default=1,
                   help="processes sharing the port, or `auto`: one per usable core")
    s.add_argument("--log-format", choices=("auto", "json", "console"))
    s.add_argument("--loop", choices=eventloop.CHOICES,
                   help=f"event loop (default: ${eventloop.ENV} or auto = uvloop if installed)")
    s.add_argument("--worker-id", type=int, default=0, help=argparse.SUPPRESS)
    s.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_serve)
