from __future__ import annotations

import pytest

from gateway.proxy.headers import end_to_end, request_id_from


def test_end_to_end_strips_hop_by_hop_and_connection_named() -> None:
    items = [("Connection", "close, X-A"), ("connection", "x-b"), ("X-A", "1"), ("X-B", "2"),
             ("Keep-Alive", "5"), ("TE", "trailers"), ("Transfer-Encoding", "chunked"),
             ("Upgrade", "h2c"), ("Proxy-Authorization", "x"), ("Proxy-Authenticate", "x"),
             ("Proxy-Connection", "x"), ("Trailer", "x"), ("Set-Cookie", "a=1"),
             ("Set-Cookie", "b=2"), ("X-Keep", "k")]
    out = end_to_end(items)
    assert list(out.items()) == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Keep", "k")]


def test_end_to_end_drop() -> None:
    out = end_to_end([("Host", "h"), ("X-Request-ID", "r"), ("A", "1")],
                     drop=frozenset({"host", "x-request-id"}))
    assert list(out.items()) == [("A", "1")]


@pytest.mark.parametrize("rid", [
    "abc-123", "req.1_2", "3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f", "A" * 128,
])
def test_request_id_kept(rid: str) -> None:
    assert request_id_from(rid) == rid


@pytest.mark.parametrize("rid", [
    None, "", "a b", "x" * 129, "13800138000", "id-110105194912310021", "a\nb", "张三",
    "138-0013-8000",
])
def test_request_id_replaced(rid: str | None) -> None:
    out = request_id_from(rid)
    assert out != rid
    assert len(out) == 32
