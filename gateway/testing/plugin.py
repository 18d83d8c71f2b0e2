"""The pytest plugin (entry point `pytest11`, loaded when the package is installed).

Fixtures:

- `pii_gateway`: a real gateway on 127.0.0.1, started for the test and
  stopped after it; yields a `RunningGateway` (`.url`, `.admin_url`; `str()`
  is the URL). Its policy and upstream come from the `pii_gateway_policy` and
  `pii_gateway_upstream` fixtures, which read the `pii_gateway` marker, then
  the `--pii-gateway-policy` / `--pii-gateway-upstream` options, then the ini
  keys of the same names. Override either fixture in a conftest.py to return
  an aiohttp `Application` (served in the gateway's thread) or a URL.
- `pii_gateway_factory`: `start(policy=..., upstream=...)` for several
  gateways in one test.
- `pii_detector`: the detector of the configured policy (or the built-in one).

`assert_no_pii` is `from gateway.testing import assert_no_pii`. The gateway's
modules are imported when a fixture is first used, not when pytest starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gateway.detect import Detector
    from gateway.testing.harness import GatewayThread, RunningGateway, Upstream

_OPTIONS = (("policy", "policy file for the pii_gateway fixture"),
            ("upstream", "upstream URL for the pii_gateway fixture"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pii-gateway")
    for name, text in _OPTIONS:
        group.addoption(f"--pii-gateway-{name}", dest=f"pii_gateway_{name}", help=text)
        parser.addini(f"pii_gateway_{name}", text)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pii_gateway(policy=None, upstream=None): the policy file and upstream "
                   "(URL or aiohttp Application) of this test's pii_gateway fixture")


def _setting(request: pytest.FixtureRequest, name: str) -> Any:
    marker = request.node.get_closest_marker("pii_gateway")
    if marker is not None and marker.kwargs.get(name) is not None:
        return marker.kwargs[name]
    value = request.config.getoption(f"pii_gateway_{name}") or request.config.getini(
        f"pii_gateway_{name}")
    if value and name == "policy" and not Path(value).is_absolute():
        return request.config.rootpath / value  # ini and command line: from the rootdir
    return value or None


@pytest.fixture
def pii_gateway_policy(request: pytest.FixtureRequest) -> Path | None:
    value = _setting(request, "policy")
    return Path(value) if value is not None else None


@pytest.fixture
def pii_gateway_upstream(request: pytest.FixtureRequest) -> Upstream | None:
    value: Upstream | None = _setting(request, "upstream")
    return value


@pytest.fixture
def pii_gateway_factory() -> Iterator[Callable[..., RunningGateway]]:
    from gateway.testing.harness import GatewayThread

    started: list[GatewayThread] = []

    def start(*, policy: str | Path, upstream: Upstream) -> RunningGateway:
        thread = GatewayThread(policy, upstream)
        started.append(thread)
        return thread.start()

    yield start
    for thread in reversed(started):
        thread.stop()


@pytest.fixture
def pii_gateway(pii_gateway_factory: Callable[..., RunningGateway],
                pii_gateway_policy: Path | None,
                pii_gateway_upstream: Upstream | None) -> RunningGateway:
    if pii_gateway_policy is None or pii_gateway_upstream is None:
        missing = [n for n, v in (("policy", pii_gateway_policy),
                                  ("upstream", pii_gateway_upstream)) if v is None]
        raise pytest.UsageError(
            f"pii_gateway needs a {' and an '.join(missing)}: the pii_gateway marker, "
            f"--pii-gateway-{missing[0]}, the ini key pii_gateway_{missing[0]}, or a "
            f"pii_gateway_{missing[0]} fixture")
    return pii_gateway_factory(policy=pii_gateway_policy, upstream=pii_gateway_upstream)


@pytest.fixture(scope="session")
def pii_detector(request: pytest.FixtureRequest) -> Detector:
    from gateway.detect import default_detector

    value = request.config.getoption("pii_gateway_policy") or request.config.getini(
        "pii_gateway_policy")
    if not value:
        return default_detector()
    from gateway.policy.compiled import NO_UPSTREAM, compile_file

    path = Path(value)
    return compile_file(path if path.is_absolute() else request.config.rootpath / path,
                        NO_UPSTREAM).detector
