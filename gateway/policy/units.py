"""Parsing of durations ("10s", "500ms", "2m") and sizes ("10MiB", "512KiB")."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_FACTORS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}

_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?\s*$")
_SIZE_FACTORS = {
    None: 1,
    "B": 1,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
}


def parse_duration(value: object) -> object:
    """Seconds as a float; numbers are seconds. Anything else is left to validation."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m is None:
            raise ValueError("must be a duration such as 10s, 500ms, 2m, 1d or a number of seconds")
        return float(m.group(1)) * _DURATION_FACTORS[m.group(2)]
    return value


def parse_size(value: object) -> object:
    """Bytes as an int; accepts plain integers and suffixed strings."""
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m is None:
            raise ValueError("must be a size such as 10MiB, 512KiB or a number of bytes")
        return int(m.group(1)) * _SIZE_FACTORS[m.group(2)]
    return value


Duration = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
