from __future__ import annotations

import pytest

from gateway.errors import BadPath
from gateway.http.canonical import Target, canonicalize, log_safe


@pytest.mark.parametrize(("raw", "path", "encoded", "forward"), [
    ("/a/b", "/a/b", "/a/b", "/a/b"),
    ("/a//b///c", "/a/b/c", "/a/b/c", "/a/b/c"),
    ("/%61pi/v1", "/api/v1", "/api/v1", "/api/v1"),
    ("/a%20b", "/a b", "/a%20b", "/a%20b"),
    ("/%E5%BC%A0", "/张", "/%E5%BC%A0", "/%E5%BC%A0"),
    ("/a%252e%252e", "/a%2e%2e", "/a%252e%252e", "/a%252e%252e"),
    ("/a?x=%2F&y", "/a", "/a", "/a?x=%2F&y"),
    ("/a?", "/a", "/a", "/a?"),
    ("/a/.b/..c", "/a/.b/..c", "/a/.b/..c", "/a/.b/..c"),
])
def test_canonical(raw: str, path: str, encoded: str, forward: str) -> None:
    t = canonicalize(raw)
    assert (t.path, t.encoded_path, t.forward) == (path, encoded, forward)


@pytest.mark.parametrize("raw", [
    "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b", "/a%00", "/a\x00", "/../a", "/a/..", "/a/./b",
    "/a/%2e%2e/b", "/a/%2E/b", "/a%zz", "/a%", "/a%C3%28", "a/b", "http://x/a", "/a#f",
    "/a%0d%0aX: y", "/a%7f",
])
def test_rejected(raw: str) -> None:
    with pytest.raises(BadPath):
        canonicalize(raw)


@pytest.mark.parametrize(("raw", "logged"), [
    ("/api/v1/loans/123", "/api/v1/loans/123"),
    ("/api/v1/borrowers/110105194912310021", "/api/v1/borrowers/*"),
    ("/users/a@b.cn/x", "/users/*/x"),
    ("/u/%E5%BC%A0%E4%B8%89", "/u/*"),
    ("/list?page=2&size=10&idNo=110105194912310021", "/list?page&size&idNo"),
    ("/q?13800138000=1", "/q?*"),
])
def test_log_safe(raw: str, logged: str) -> None:
    assert log_safe(canonicalize(raw)) == logged


def test_log_safe_none() -> None:
    assert log_safe(None) == "-"
    assert isinstance(canonicalize("/"), Target)
