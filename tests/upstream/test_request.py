"""request_head: the request line, Host, the body's framing, and no header
injection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from multidict import CIMultiDict

from gateway.upstream.request import InvalidHeader, request_head


async def _chunks() -> AsyncIterator[bytes]:
    yield b"x"


def test_bytes_body_gets_its_length() -> None:
    head, chunked = request_head("POST", "/a?b=1", "up:8080",
                                 CIMultiDict({"Content-Type": "application/json"}), b"{}")
    assert head == (b"POST /a?b=1 HTTP/1.1\r\nHost: up:8080\r\nContent-Length: 2\r\n"
                    b"Content-Type: application/json\r\n\r\n")
    assert not chunked


@pytest.mark.parametrize(("method", "headers", "expected"), [
    ("GET", {}, None),
    ("HEAD", {}, None),
    ("POST", {}, "0"),
    ("DELETE", {}, "0"),
    ("POST", {"Content-Length": "0"}, "0"),  # the client's own, kept once
])
def test_no_body(method: str, headers: dict[str, str], expected: str | None) -> None:
    head, _ = request_head(method, "/", "up", CIMultiDict(headers), None)
    lengths = [line for line in head.split(b"\r\n") if line.startswith(b"Content-Length")]
    assert lengths == ([] if expected is None else [f"Content-Length: {expected}".encode()])


def test_streamed_body_is_chunked_unless_its_length_is_known() -> None:
    head, chunked = request_head("POST", "/", "up", CIMultiDict(), _chunks())
    assert chunked and b"Transfer-Encoding: chunked\r\n" in head
    head, chunked = request_head("POST", "/", "up", CIMultiDict({"Content-Length": "1"}),
                                 _chunks())
    assert not chunked and b"Transfer-Encoding" not in head


def test_bytes_the_client_sent_go_out_unchanged() -> None:
    raw = "caf\udce9"  # how aiohttp decodes the byte 0xE9 that is not UTF-8
    head, _ = request_head("GET", "/", "up", CIMultiDict({"X-Name": raw, "X-Cn": "张三"}), None)
    assert b"X-Name: caf\xe9\r\n" in head
    assert "X-Cn: 张三\r\n".encode() in head


@pytest.mark.parametrize("headers", [
    {"X-A": "1\r\nX-Injected: 1"},
    {"X-A": "1\nX-Injected: 1"},
    {"X-A\r\nX-B": "1"},
    {"X-A": "nul\x00"},
])
def test_control_characters_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidHeader) as err:
        request_head("GET", "/", "up", CIMultiDict(headers), None)
    assert "Injected" not in str(err.value) and "nul" not in str(err.value)


def test_tab_is_allowed_and_a_broken_target_is_not() -> None:
    request_head("GET", "/", "up", CIMultiDict({"X-A": "a\tb"}), None)
    for target in ("/a b", "/a\r\nX: 1"):
        with pytest.raises(InvalidHeader):
            request_head("GET", target, "up", CIMultiDict(), None)
