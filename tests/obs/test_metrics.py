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
