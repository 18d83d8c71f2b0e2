from __future__ import annotations

from gateway.codecs.base import Leaf
from gateway.operators.site import Records, field_name


def test_the_nearest_enclosing_record_key_wins() -> None:
    leaves = [Leaf(("applicationNo",), "A-outer"),
              Leaf(("items", 0, "applicationNo"), "A-0"),
              Leaf(("items", 0, "applicant", "idNo"), "x"),
              Leaf(("items", 1, "applicant", "idNo"), "y"),
              Leaf(("other",), "z")]
    records = Records(leaves, frozenset({"applicationNo"}))
    assert records.find(("items", 0, "applicant", "idNo"), "applicationNo") == (2, "A-0")
    assert records.find(("items", 1, "applicant", "idNo"), "applicationNo") == (0, "A-outer")
    assert records.find(("other",), "missing") is None


def test_field_names_leave_out_list_positions() -> None:
    assert field_name(("items", 3, "applicant", "idNo")) == "items.applicant.idNo"
    assert field_name(("applicant", "idNo")) == "applicant.idNo"
