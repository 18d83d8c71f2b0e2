from __future__ import annotations

import pytest

from gateway.policy.units import parse_duration, parse_size


@pytest.mark.parametrize(("raw", "seconds"), [
    ("10s", 10.0), ("500ms", 0.5), ("2m", 120.0), ("1h", 3600.0), (3, 3.0), (0.25, 0.25),
    ("1.5s", 1.5), ("7", 7.0), ("1d", 86400.0),
])
def test_duration(raw: object, seconds: float) -> None:
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["10 sec", "-1s", "s", "1w", ""])
def test_duration_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(raw)


@pytest.mark.parametrize(("raw", "size"), [
    ("10MiB", 10 * 1024**2), ("512KiB", 512 * 1024), ("1GiB", 1024**3), ("1MB", 10**6),
    ("100", 100), (4096, 4096), ("5B", 5),
])
def test_size(raw: object, size: int) -> None:
    assert parse_size(raw) == size


@pytest.mark.parametrize("raw", ["10 mebibytes", "1.5MiB", "-1", "MiB"])
def test_size_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(raw)
