from __future__ import annotations

import pytest

from tests.detect.recognizers.helpers import spans


@pytest.mark.parametrize("address", ["110.189.199.14", "2408:8207:1850:3a10::1c", "fe80::1:2:3"])
def test_found(address: str) -> None:
    assert spans("IP_ADDRESS", f"登录IP {address}。") == [address]


@pytest.mark.parametrize("text", [
    "256.1.1.1", "127.0.0.1", "::1", "10:30:00", "1.2.3", "1.2.3.4.5"])
def test_refused(text: str) -> None:
    assert spans("IP_ADDRESS", text) == []
