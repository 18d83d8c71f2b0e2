"""deploy/observability/: the Grafana dashboard and the Prometheus alerting
rules. Every metric and label they use is exported by a running gateway
(driven here until each has samples); the rules and the dashboard's queries
pass `promtool check rules` (the Makefile installs the `prometheus` package)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.keystore import KeyStore, read_master
from gateway.policy.compiled import compile_file
from gateway.policy.honeytokens import honeytoken_digest
from gateway.server.runtime import GatewayServer
from tests.conftest import serving

OBS = Path(__file__).resolve().parents[2] / "deploy" / "observability"
DASHBOARD = json.loads((OBS / "grafana-dashboard.json").read_text(encoding="utf-8"))
ALERTS = yaml.safe_load((OBS / "alerts.yaml").read_text(encoding="utf-8"))
TARGET_LABELS = {"instance", "job"}  # added by Prometheus when it scrapes
HONEY = "11010519491231002X"
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in DASHBOARD["panels"] for t in p["targets"]]


def alert_exprs() -> list[str]:
    return [r["expr"] for g in ALERTS["groups"] for r in g["rules"]]


def as_promql(expr: str) -> str:
    """A dashboard query with Grafana's variables filled in."""
    return expr.replace("$__rate_interval", "5m").replace("$instance", ".*")


def used(expr: str) -> tuple[set[str], set[str]]:
    """(metric names, label names) an expression uses."""
    metrics = set(re.findall(r"\b(pgw_[a-z_]+)\b", expr))
    labels: set[str] = set()
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        labels |= {x.strip() for x in group.split(",") if x.strip()}
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        labels |= set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))
    return metrics, labels - PROMQL_WORDS


def test_the_dashboard_is_a_grafana_model_on_a_prometheus_datasource() -> None:
    assert DASHBOARD["uid"] == "pii-gateway" and DASHBOARD["schemaVersion"] >= 36
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    names = {v["name"] for v in DASHBOARD["templating"]["list"]}
    assert names == {"datasource", "instance"}
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
    titles = " ".join(p["title"] for p in DASHBOARD["panels"]).lower()
    for topic in ("requests", "latency", "findings", "fail-closed", "blocks", "limiter",
                  "bans", "decryption", "key use", "audit", "event-loop lag", "upstream errors"):
        assert topic in titles


def test_the_alerts_cover_what_operators_must_hear_about() -> None:
    names = {r["alert"] for g in ALERTS["groups"] for r in g["rules"]}
    assert names == {"PiiGatewayBansSpiking", "PiiGatewayFailClosedRate",
                     "PiiGatewayHoneytokenServed",
                     "PiiGatewayDecryptionFailures", "PiiGatewayKeyUseHigh",
                     "PiiGatewayAuditBacklog", "PiiGatewayEventLoopLag",
                     "PiiGatewayUpstreamErrors"}
    key_use = next(r for g in ALERTS["groups"] for r in g["rules"]
                   if r["alert"] == "PiiGatewayKeyUseHigh")
    assert "1073741824" in key_use["expr"]  # 2^30


PROMTOOL = shutil.which("promtool")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool: apt-get install prometheus "
                                             "(make test installs it)")
def test_promtool_accepts_the_rules_and_the_dashboards_queries(tmp_path: Path) -> None:
    assert PROMTOOL is not None
    subprocess.run([PROMTOOL, "check", "rules", str(OBS / "alerts.yaml")], check=True,
                   capture_output=True)
    recorded = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"pgw_dashboard:query_{i}", "expr": as_promql(e)}
        for i, e in enumerate(dashboard_exprs())]}]}
    path = tmp_path / "dashboard-queries.yaml"
    path.write_text(yaml.safe_dump(recorded))
    out = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr


async def _borrower(_: web.Request) -> web.Response:
    return web.json_response({"mobile": "13800138000",
                              "token": "pgw1.enc-00000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAA"})


async def _honey(_: web.Request) -> web.Response:
    return web.json_response({"idNo": HONEY})


async def _ok(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def upstream_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/api/borrower", _borrower)
    app.router.add_get("/api/honey", _honey)
    app.router.add_route("*", "/api/{tail:.*}", _ok)
    return app


POLICY = """version: 1
server: {{listen: "127.0.0.1:0", admin: "127.0.0.1:0"}}
upstreams: {{default: {{url: "{url}"}}}}
routes: [{{name: api, match: {{path_prefix: /api}}}}]
keys: {{store: k/keystore.json, master_key_file: k/master.key}}
audit: {{sink: file, directory: audit}}
honeytokens: {{tokens: [{{entity: CN_RESIDENT_ID, digest: "{honey}"}}]}}
actions:
  defaults: {{request: keep, response: mask}}
  rules:
    - {{name: enc, direction: request, methods: [POST], fields: [secret], operator: encrypt}}
    - {{name: dec, direction: response, fields: [token], operator: decrypt}}
rate_limits:
  device_header: X-Device-Id
  detect_by: [device, ip]
  limits: [{{name: per-ip, dimensions: [ip], rate: 1000/s, burst: 1000}}]
  enumeration:
    {{window: 10m, max_ids: 1000, sequential_run: 3, then: {{action: ban, duration: 1m}}}}
"""


async def exported(tmp_path: Path) -> dict[str, set[str]]:
    """Sample name -> label names, from a gateway driven until every metric
    the dashboard and the alerts use has samples."""
    ensure_dev_keys(tmp_path / "k")
    async with serving(upstream_app()) as up:
        path = tmp_path / "p.yaml"
        kid, key = KeyStore.open(tmp_path / "k/keystore.json",
                                 read_master(tmp_path / "k/master.key")).current("hmac")
        honey = f"{kid}:{honeytoken_digest(key, 'CN_RESIDENT_ID', HONEY)}"
        path.write_text(POLICY.format(url=f"http://127.0.0.1:{up.port}", honey=honey))
        server = GatewayServer(compile_file(path), policy_path=path)
        await server.start()
        base = f"http://127.0.0.1:{server.proxy_port}"
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(base + "/api/borrower") as r:  # findings, decrypt_failed
                    assert r.status == 200
                async with http.post(base + "/api/apply", json={"secret": "x"}) as r:  # key use
                    assert r.status == 200
                async with http.post(base + "/api/apply", data=b"{",
                                     headers={"Content-Type": "application/json"}) as r:
                    assert r.status == 400  # fail closed
                async with http.get(base + "/api/honey",  # a honey record: refused, and
                                    headers={"X-Device-Id": "reader"}) as r:  # the device banned
                    assert r.status == 403
                for loan in range(1, 6):  # walking ids: the enumeration detector bans
                    async with http.get(f"{base}/api/loans/{loan}") as r:
                        await r.read()
                await asyncio.sleep(0.6)  # the event-loop lag timer ticks
                async with http.get(f"http://127.0.0.1:{server.admin_port}/metrics") as r:
                    text = await r.text()
        finally:
            await server.stop()
    samples: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
    return samples


def _cases() -> Iterator[tuple[str, str]]:
    for expr in dashboard_exprs():
        yield "dashboard", expr
    for expr in alert_exprs():
        yield "alerts", expr


async def test_every_metric_and_label_they_use_is_exported(tmp_path: Path) -> None:
    samples = await exported(tmp_path)
    problems: list[Any] = []
    for source, expr in _cases():
        metrics, labels = used(expr)
        assert metrics, expr
        for metric in metrics:
            if metric not in samples:
                problems.append((source, "no samples of", metric))
        have = set().union(*(samples.get(m, set()) for m in metrics))
        for label in labels - TARGET_LABELS:
            if label not in have:
                problems.append((source, f"no label {label} on", sorted(metrics)))
    assert problems == []
