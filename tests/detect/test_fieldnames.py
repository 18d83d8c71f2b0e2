"""Field names split into words the way developers write them."""

from __future__ import annotations

import pytest

from gateway.detect.fieldnames import field_words, joined


@pytest.mark.parametrize(("name", "words"), [
    ("idCardNo", ("id", "card", "no")),
    ("IDCardNo", ("id", "card", "no")),
    ("id_card_no", ("id", "card", "no")),
    ("id-card.no", ("id", "card", "no")),
    ("ID_CARD_NO", ("id", "card", "no")),
    ("mobile2", ("mobile", "2")),
    ("contact1Mobile", ("contact", "1", "mobile")),
    ("registerIP", ("register", "ip")),
    ("HTTPSProxyURL", ("https", "proxy", "url")),
    ("户籍地址", ("户籍地址",)),
    ("emergency联系人Name", ("emergency", "联系人", "name")),
    ("", ()),
    ("__", ()),
])
def test_words(name: str, words: tuple[str, ...]) -> None:
    assert field_words(name) == words


def test_joined() -> None:
    assert joined("home_Addr") == joined("homeAddr") == joined("home-addr") == "homeaddr"
