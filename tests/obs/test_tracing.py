from __future__ import annotations

import aiohttp
import pytest

from gateway.obs.tracing import trace_id
from gateway.server.runtime import GatewayServer
from tests.conftest import base, log_lines

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_trace_ids() -> None:
    assert trace_id(TRACEPARENT) == "4bf92f3577b34da6a3ce929d0e0e4736"
    for bad in (None, "", "00-4bf92f35-00f067aa0ba902b7-01", "ff" + TRACEPARENT[2:],
                "00-" + "0" * 32 + "-00f067aa0ba902b7-01", TRACEPARENT.upper(),
                TRACEPARENT + "-x"):
        assert trace_id(bad) is None


async def test_trace_context_passes_unchanged_and_is_logged(
        start_gateway: object, capsys: pytest.CaptureFixture[str]) -> None:
    gw: GatewayServer = await start_gateway()  # type: ignore[operator]
    headers = {"traceparent": TRACEPARENT, "tracestate": "congo=t61rcWkgMzE,rojo=00f067"}
    async with aiohttp.ClientSession() as http, \
            http.get(base(gw) + "/stream/x", headers=headers) as resp:
        seen = dict((k.lower(), v) for k, v in (await resp.json())["headers"])
    assert seen["traceparent"] == TRACEPARENT
    assert seen["tracestate"] == headers["tracestate"]
    access = [line for line in log_lines(capsys) if line["event"] == "access"]
    assert access[0]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
