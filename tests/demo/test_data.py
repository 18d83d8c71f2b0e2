from __future__ import annotations

from stdnum import luhn
from stdnum.cn import ric

from gateway.demo import data


def test_borrowers_are_deterministic_and_valid() -> None:
    first = [data.borrower(1, i) for i in range(1, 200)]
    assert first == [data.borrower(1, i) for i in range(1, 200)]
    assert data.borrower(2, 1) != first[0]
    for b in first:
        assert ric.is_valid(b["idNo"]), b["idNo"]
        assert luhn.is_valid(b["bankCard"]) and b["bankCard"].startswith("62")
        assert len(b["mobile"]) == 11 and b["mobile"][:3] in data.MOBILE_PREFIXES
        assert len(b["emergencyContact"]["mobile"]) == 11
        assert b["name"][0] in data.SURNAMES


def test_loan_and_task_shapes() -> None:
    loan = data.loan(1, 5, 1000)
    assert loan["loanId"] == 5 and loan["schedule"]
    task = data.collection_task(1, 3, 1000)
    assert task["mobile"] in task["note"]
