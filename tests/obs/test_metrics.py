from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from gateway.obs.metrics import DETECTOR_FIRINGS, render


def test_metrics_render_in_prometheus_format() -> None:
    DETECTOR_FIRINGS.labels(detector="paging", action="throttle").inc()
    families = {f.name: f for f in text_string_to_metric_families(render().decode())}
    assert {"pgw_ratelimit_decisions", "pgw_ratelimit_degraded",
            "pgw_scraping_detections"} <= set(families)
    samples = families["pgw_scraping_detections"].samples
    assert any(s.labels == {"detector": "paging", "action": "throttle"} and s.value >= 1
               for s in samples)


async def test_a_scrape_after_traffic_counts_it_and_carries_no_values(
        start_gateway: object) -> None:
    import aiohttp

    from tests.conftest import base
    gw = await start_gateway()  # type: ignore[operator]
    canaries = ["13800138000", "110105194912310021", "203.0.113.9"]
    async with aiohttp.ClientSession() as http:
        for path in ("/protected/loans/110105194912310021?mobile=13800138000", "/stream/x"):
            async with http.post(base(gw) + path, data=b'{"m": "13800138000"}',
                                 headers={"Content-Type": "application/json",
                                          "X-Forwarded-For": "203.0.113.9"}) as resp:
                await resp.read()
        async with http.get(f"http://127.0.0.1:{gw.admin_port}/metrics") as resp:
            text = await resp.text()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    requests = {(s.labels["route"], s.labels["method"]) for s in families["pgw_requests"].samples
                if s.name == "pgw_requests_total"}
    assert {("protected", "POST"), ("stream", "POST")} <= requests
    findings = families["pgw_findings"].samples
    assert any(s.labels == {"entity": "CN_MOBILE", "direction": "request", "operator": "keep"}
               for s in findings)
    assert "pgw_inspection_seconds" in families and "pgw_event_loop_lag_seconds" in families
    for canary in canaries:
        assert canary not in text
