"""Request ids, the access line, and that no value from a message reaches a log."""

from __future__ import annotations

import aiohttp
import pytest

from gateway.exchange import BudgetOverrun, DetectorFiring, LimitDecision
from gateway.obs.logging import flush_logs
from gateway.proxy import middlewares
from gateway.proxy.middlewares import limits_log
from gateway.server.runtime import GatewayServer
from tests.conftest import base, log_lines, raw_exchange

ACCESS_FIELDS = {"client", "route", "method", "path", "status", "error", "bytes_in",
                 "bytes_out", "latency_ms", "upstream_latency_ms", "policy_version",
                 "role", "pii", "limits", "trace_id", "request_id", "timestamp", "level",
                 "event", "component"}


async def test_incoming_request_id_propagated(gateway: GatewayServer,
                                              http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/echo/r", headers={"X-Request-ID": "trace-abc"}) as r:
        data = await r.json()
        assert r.headers["X-Request-ID"] == "trace-abc"
    assert dict((k.lower(), v) for k, v in data["headers"])["x-request-id"] == "trace-abc"


async def test_request_id_generated(gateway: GatewayServer, http: aiohttp.ClientSession) -> None:
    async with http.get(base(gateway) + "/echo/r", headers={"X-Request-ID": "bad id!"}) as r:
        data = await r.json()
        rid = r.headers["X-Request-ID"]
    assert rid != "bad id!" and len(rid) == 32
    assert dict((k.lower(), v) for k, v in data["headers"])["x-request-id"] == rid


@pytest.mark.parametrize("path", ["/protected/x", "/stream/x", "/status/404"])
async def test_request_id_on_every_response(gateway: GatewayServer,
                                            http: aiohttp.ClientSession, path: str) -> None:
    async with http.get(base(gateway) + path) as r:
        assert len(r.headers["X-Request-ID"]) == 32


async def test_error_carries_request_id(gateway: GatewayServer,
                                        http: aiohttp.ClientSession) -> None:
    url = aiohttp.client.URL(base(gateway) + "/a%2fb", encoded=True)
    async with http.get(url, headers={"X-Request-ID": "err-1"}) as r:
        assert r.status == 400
        assert (await r.json())["request_id"] == "err-1"
        assert r.headers["X-Request-ID"] == "err-1"


async def test_access_line_fields(gateway: GatewayServer, http: aiohttp.ClientSession,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    async with http.post(base(gateway) + "/protected/loans/110105194912310021?idNo=x&page=1",
                         data=b'{"m":"13800138000"}',
                         headers={"X-Request-ID": "acc-1", "Content-Type": "application/json"}
                         ) as r:
        await r.read()
    lines = [line for line in log_lines(capsys) if line["event"] == "access"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == ACCESS_FIELDS
    assert line["request_id"] == "acc-1"
    assert line["route"] == "protected"
    assert line["method"] == "POST"
    assert line["path"] == "/protected/loans/*?idNo&page"
    assert line["status"] == 200
    assert line["bytes_in"] == 19
    assert line["role"] == "anonymous"
    assert line["pii"]["request"] == {"CN_MOBILE:keep": 1}
    assert line["bytes_out"] > 0
    assert line["latency_ms"] >= line["upstream_latency_ms"] > 0
    assert line["policy_version"] == gateway.state.policies.current.version


CANARIES = ["110105194912310021", "13800138000", "6222021234567890128", "zhang.san@example.cn",
            "张三丰"]


async def test_no_value_reaches_logs(gateway: GatewayServer, http: aiohttp.ClientSession,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    id_, mobile, card, email, name = CANARIES
    for path in (f"/protected/{id_}", f"/stream/{mobile}", f"/u/{email}"):
        async with http.post(base(gateway) + path + f"?card={card}&n={name}",
                             data=f"{id_} {mobile} {card} {email} {name}".encode(),
                             headers={"X-Mobile": mobile, "Cookie": f"card={card}",
                                      "X-Request-ID": mobile, "User-Agent": email}) as r:
            await r.read()
    # parser errors, with the values in the bad lines
    await raw_exchange(gateway.proxy_port,
                       f"GET /{id_} HTTP/1.1\r\nHost: t\r\nX {mobile}: {card}\r\n\r\n".encode())
    await raw_exchange(gateway.proxy_port,
                       f"GET /{id_ * 600} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    await raw_exchange(gateway.proxy_port,
                       f"GET /{id_}%2f HTTP/1.1\r\nHost: {email}\r\n\r\n".encode(),
                       read_timeout=0.5)
    flush_logs()
    out = capsys.readouterr().out
    assert out.count('"access"') >= 6
    for canary in CANARIES:
        assert canary not in out


def test_limits_log_shares_a_decisions_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request's one decision is rendered once per distinct decision;
    every other list of events is rendered event by event, as `as_log()`."""
    monkeypatch.setattr(middlewares, "_LOGGED", {})  # what other tests' requests kept
    decision = LimitDecision("allowed", "per-client", "ip", 7)
    first = limits_log([decision])
    assert first == [decision.as_log()] == [
        {"rule": "per-client", "dimension": "ip", "remaining": 7, "action": "allowed"}]
    assert limits_log([LimitDecision("allowed", "per-client", "ip", 7)]) is first
    other = limits_log([LimitDecision("allowed", "per-client", "ip", 6)])
    assert other == [{"rule": "per-client", "dimension": "ip", "remaining": 6,
                      "action": "allowed"}]
    assert limits_log([LimitDecision("banned")]) == [{"action": "banned"}]
    firing = DetectorFiring("enumeration", "ip", "ban")
    assert limits_log([firing, decision]) == [firing.as_log(), decision.as_log()]
    assert limits_log([BudgetOverrun("CN_MOBILE", 3)]) == [
        {"detector": "exposure", "entity": "CN_MOBILE", "seen": 3}]
    assert limits_log([]) is None


def test_limits_log_keeps_at_most_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(middlewares, "_LOGGED", {})
    monkeypatch.setattr(middlewares, "_LOGGED_MOST", 2)
    for left in range(5):
        assert limits_log([LimitDecision("allowed", "r", "ip", left)]) == [
            {"rule": "r", "dimension": "ip", "remaining": left, "action": "allowed"}]
    assert len(middlewares._LOGGED) == 2
