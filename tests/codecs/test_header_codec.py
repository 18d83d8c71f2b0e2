from __future__ import annotations

from multidict import CIMultiDict

from gateway.codecs.header_codec import HeaderDocument


def test_selected_headers_and_cookies_only() -> None:
    headers = CIMultiDict([("X-User-Mobile", "13800138000"), ("X-Other", "13900139000"),
                           ("Cookie", "sid=abc; mobile=138%2000138000; theme=dark")])
    doc = HeaderDocument(headers, frozenset({"x-user-mobile"}), frozenset({"mobile"}))
    assert [(leaf.path, leaf.text) for leaf in doc.leaves()] == [
        (("header", "x-user-mobile"), "13800138000"), (("cookie", "mobile"), "138 00138000")]
    doc.set(0, "138****8000")
    doc.set(1, "138 ****8000")
    doc.encode()
    assert headers["X-User-Mobile"] == "138****8000"
    assert headers["X-Other"] == "13900139000"
    assert headers["Cookie"] == "sid=abc; mobile=138%20%2A%2A%2A%2A8000; theme=dark"


def test_nothing_selected_nothing_touched() -> None:
    headers = CIMultiDict([("Cookie", "mobile=13800138000")])
    doc = HeaderDocument(headers, frozenset(), frozenset())
    assert doc.leaves() == []
    doc.encode()
    assert headers["Cookie"] == "mobile=13800138000"


def test_every_request_cookie_name_is_a_key_leaf() -> None:
    from gateway.codecs.base import KEY
    headers = CIMultiDict({"Cookie": "13912345678=1; sid=abc"})
    doc = HeaderDocument(headers, frozenset(), frozenset({"sid"}))
    assert [(leaf.path, leaf.text) for leaf in doc.key_leaves()] == [
        (("cookie", KEY), "13912345678"), (("cookie", KEY), "sid")]
    doc.set_key(0, "139****5678")
    doc.set(0, "xyz")  # the sid value
    doc.encode()
    assert headers["Cookie"] == "139%2A%2A%2A%2A5678=1; sid=xyz"
    assert HeaderDocument(headers, frozenset(), frozenset(), request=False).key_leaves() == []
