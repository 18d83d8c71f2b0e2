from __future__ import annotations

import pytest

from gateway.protect.fields import FieldSelector


@pytest.mark.parametrize(("selector", "path", "ok"), [
    ("applicant.idNo", ("applicant", "idNo"), True),
    ("applicant.idNo", ("applicant", "idno"), False),
    ("items[*].card", ("items", 3, "card"), True),
    ("items[1].card", ("items", 3, "card"), False),
    ("items[3].card", ("items", 3, "card"), True),
    ("**.mobile", ("mobile",), True),
    ("**.mobile", ("a", 1, "b", "mobile"), True),
    ("**.mobile", ("a", "mobileNo"), False),
    ("kyc.*", ("kyc", "idIssuer"), True),
    ("kyc.*", ("kyc", "x", "y"), False),
    ("a.**", ("a", "b", 2), True),
])
def test_matching(selector: str, path: tuple[str | int, ...], ok: bool) -> None:
    assert FieldSelector.parse(selector).matches(path) is ok


@pytest.mark.parametrize("bad", ["", "a..b", "a[x]", "a[1"])
def test_invalid(bad: str) -> None:
    with pytest.raises(ValueError, match="selector"):
        FieldSelector.parse(bad)
