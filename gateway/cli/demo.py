"""`pii-gateway demo` (the demo lending API behind the gateway, one process)
and `demo-upstream` (the demo API alone)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiohttp import web

from gateway import eventloop
from gateway.cli.common import DEFAULT_POLICY, exit_now, loop_factory
from gateway.obs.logging import configure_logging
from gateway.policy.compiled import compile_file
from gateway.policy.loader import PolicyError
from gateway.tls.devcerts import ensure_dev_tls

DEMO_UPSTREAM = "127.0.0.1:8081"
TLS_POLICY = Path("policies/examples/partner-mtls.yaml")
DEV_TLS = Path("keys/dev-tls")


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo.app import create_demo_app
    from gateway.server.runtime import GatewayServer

    upstream_url = f"http://{args.upstream_listen}"
    if args.tls:
        created = ensure_dev_tls(DEV_TLS)
        if created:
            print(f"created {DEV_TLS}: a development CA, server and partner certificates")
    policy_path = args.policy or (TLS_POLICY if args.tls else DEFAULT_POLICY)
    try:
        policy = compile_file(policy_path, upstream_url)
        factory = loop_factory(args)
    except (PolicyError, eventloop.LoopUnavailable) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    configure_logging(policy.log_format, policy.log_level)
    listen = args.listen or policy.server.listen
    admin = args.admin or policy.server.admin
    banner = (_tls_banner(listen, admin, args.upstream_listen) if policy.tls.listener
              else _demo_banner(listen, admin, args.upstream_listen))
    print(banner, flush=True)

    async def main() -> None:
        server = GatewayServer(policy, policy_path=policy_path, upstream_url=upstream_url,
                               listen=listen, admin=admin,
                               extra_apps=((create_demo_app(), args.upstream_listen),))
        await server.start()
        await server.run_until_signalled()
        exit_now()

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
        "Field encryption (docs/encryption.md):",
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


def _tls_banner(listen: str, admin: str, upstream: str) -> str:
    gw = f"https://{listen}"
    ca = f"--cacert {DEV_TLS}/ca.crt"
    def partner(name: str) -> str:
        return f"--cert {DEV_TLS}/{name}.crt --key {DEV_TLS}/{name}.key"
    return "\n".join([
        f"pii-gateway demo --tls: gateway {gw} (mutual TLS, {TLS_POLICY})",
        f"  -> demo lending API http://{upstream}",
        "Partners are told apart by their client certificates (docs/tls.md):",
        f"  curl -s {ca} {partner('partner-a')} {gw}/api/v1/borrowers?size=2"
        "   # Bank A: join keys (hashed)",
        f"  curl -s {ca} {partner('partner-b')} {gw}/api/v1/borrowers?size=2"
        "   # collections: mobile kept, rest masked",
        f"  curl -s {ca} {gw}/api/v1/borrowers?size=2"
        "   # no certificate: 403 client_certificate_required",
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


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("demo", help="run the demo lending API behind the gateway")
    d.add_argument("--policy", type=Path,
                   help=f"default {DEFAULT_POLICY}, or {TLS_POLICY} with --tls")
    d.add_argument("--tls", action="store_true",
                   help=f"HTTPS with client certificates: creates a development CA and "
                        f"partner certificates in {DEV_TLS}/ when missing")
    d.add_argument("--listen", help="gateway HOST:PORT (default from the policy)")
    d.add_argument("--admin", help="admin HOST:PORT (default from the policy)")
    d.add_argument("--upstream-listen", default=DEMO_UPSTREAM)
    d.add_argument("--loop", choices=eventloop.CHOICES, help="event loop (as for serve)")
    d.set_defaults(func=cmd_demo)

    u = sub.add_parser("demo-upstream", help="run the demo lending API alone")
    u.add_argument("--listen", default=DEMO_UPSTREAM)
    u.set_defaults(func=cmd_demo_upstream)
