"""The ids a request path names (gateway/ratelimit/ids.py)."""

from __future__ import annotations

import pytest

from gateway.ratelimit.ids import RUN_MAX, path_ids, run_value


@pytest.mark.parametrize(("path", "ids"), [
    ("/protected/loans/1007", ["1007"]),
    ("/protected/loans/1007/", ["1007"]),
    ("/protected/1/loans/2", ["1", "2"]),
    ("/1", ["1"]),
    ("/123/456/789", ["123", "456", "789"]),             # side by side
    ("/protected/loans/abc1007", []),                     # ids are whole segments
    ("/protected/loans/1007abc", []),
    ("/protected/loans/12345678901234567890123", []),     # longer than 20 digits
    ("/protected/v2/loans", []),
    ("/protected/a/123e4567-e89b-12d3-a456-426614174000", ["123e4567-e89b-12d3-a456-426614174000"]),
    ("/protected/a/123e4567-e89b-12d3-a456-4266141740001", []),
    ("/protected/a/12345678-1234", []),
])
def test_ids_in_a_path_are_whole_numeric_or_uuid_segments(path: str, ids: list[str]) -> None:
    assert path_ids(path) == ids


@pytest.mark.parametrize(("ids", "last"), [
    (["1007"], 1007),
    (["1", "2"], 2),                                       # the last one
    (["7", "123e4567-e89b-12d3-a456-426614174000"], 7),   # a UUID never runs
    (["7", "13800138000"], 7),                            # nor a mobile number
    (["7", str(RUN_MAX)], 7),
    ([str(RUN_MAX - 1)], RUN_MAX - 1),
    (["00000000000000000042"], 42),                       # leading zeros: the number counts
    (["13800138000"], None),
    ([], None),
])
def test_the_last_short_number_joins_a_run(ids: list[str], last: int | None) -> None:
    assert run_value(ids) == last
