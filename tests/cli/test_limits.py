from __future__ import annotations

import pytest

from gateway.cli.limits import client_of

A, B = "64b8" + "0" * 20, "9f1c" + "e" * 20


@pytest.mark.parametrize(("key", "client"), [
    (f"pgw:pen:{{{A}}}", A),                 # a subject or device: its own tag
    (f"pgw:pen:{{{A}}}{B}", A + B),          # an address: its network's tag, then itself
    (f" pgw:pen:{{{A}}} ", A),               # pasted with spaces
    (A, A),
    (A + B, A + B),
    (f"pgw:pen:{{{A}}}{B}x", None),
    (f"pgw:pen:{{{A[:-1]}}}", None),          # 23 digits
    (f"pgw:rl:{{{A}}}:per-ip", None),        # not a penalty key
    ("pgw:pen:{ABCDEF" + "0" * 18 + "}", None),  # upper case: never written so
    ("", None),
])
def test_penalty_keys_name_their_client(key: str, client: str | None) -> None:
    assert client_of(key) == client
