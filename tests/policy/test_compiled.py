from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from gateway.policy.compiled import compile_policy
from gateway.policy.loader import LoadedPolicy, PolicyError, parse_policy

TEXT = """\
version: 1
server: {max_body_bytes: 2MiB}
upstreams:
  default: {timeouts: {read: 5s}}
  risk: {url: "http://127.0.0.1:9002/"}
routes:
  - {name: risk, match: {path_prefix: /api/v1/risk, methods: [post]}, upstream: risk,
     max_body_bytes: 1KiB, timeouts: {read: 1s}}
  - {name: host, match: {path_prefix: /, host: Admin.Example}}
  - {name: api, match: {path_prefix: /api/}, protect: false}
  - {name: rest, match: {path_prefix: /}}
"""


def build(upstream: str | None = "http://127.0.0.1:9001"):  # type: ignore[no-untyped-def]
    loaded = LoadedPolicy(parse_policy(TEXT, "t.yaml"), "t.yaml", "v1")
    return compile_policy(loaded, upstream_url=upstream)


def test_upstream_shorthand_and_defaults() -> None:
    p = build()
    assert p.upstreams["default"].url == "http://127.0.0.1:9001"
    assert p.upstreams["risk"].url == "http://127.0.0.1:9002"
    risk = p.routes[0]
    assert risk.max_body_bytes == 1024 and risk.timeouts.read == 1.0
    assert p.routes[2].max_body_bytes == 2 * 1024 * 1024
    assert p.routes[2].timeouts.read == 5.0


def test_missing_upstream_url() -> None:
    with pytest.raises(PolicyError, match=r"upstreams.default.url: required"):
        build(None)


@pytest.mark.parametrize(("method", "host", "path", "route"), [
    ("POST", None, "/api/v1/risk/score", "risk"),
    ("GET", None, "/api/v1/risk/score", "api"),
    ("POST", None, "/api/v1/riskx", "api"),
    ("GET", "admin.example", "/x", "host"),
    ("GET", "other", "/api/", "api"),
    ("GET", None, "/api", "rest"),
    ("GET", None, "/", "rest"),
])
def test_first_match_wins(method: str, host: str | None, path: str, route: str) -> None:
    found = build().route_for(method, host, path)
    assert found is not None and found.name == route


def test_immutable() -> None:
    p = build()
    with pytest.raises(FrozenInstanceError):
        p.routes[0].protect = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.upstreams["x"] = p.upstreams["risk"]  # type: ignore[index]
