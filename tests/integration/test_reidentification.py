"""Re-identification from what a caller still sees (issue: quasi-identifiers).

For every borrower record of the demo lists, in the anonymous and the
collections views of the default policy, the number of resident-ID numbers and
mobile numbers consistent with everything visible must stay at 10,000 or more.
The attacker model (`reident.py`) is checked against the issue's own example
first, so the gate cannot pass by counting wrong.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from gateway.server.runtime import GatewayServer
from tests.conftest import base
from tests.integration.reident import id_candidates, mobile_candidates
from tests.integration.test_demo_protection import COLLECTIONS, demo, gw  # noqa: F401

MINIMUM = 10_000
VIEWS = {"anonymous": {}, "collections": COLLECTIONS}


def test_the_attacker_model_finds_the_issue_example() -> None:
    # before: the anonymous view showed the full birth date and a county-level issuer
    before = {"id": "4****************8", "birth": "1996-01-27", "gender": "女",
              "regions": ["湖北省武汉市武昌区公安局", "湖北省武汉市武昌区**************"]}
    assert 30 <= id_candidates(before) <= 60  # the issue counted about 45
    # 138****8000 next to a visible city: the hidden digits are the city's number blocks
    assert mobile_candidates("139****0001", ["湖北省武汉市武昌区"]) < 1_000
    # a segment the number-block table places nowhere: the city rules nothing out
    assert mobile_candidates("199****0001", ["湖北省武汉市"]) == 10_000
    assert mobile_candidates("139********", ["湖北省武汉市"]) == 10_000 * mobile_candidates(
        "139****0001", ["湖北省武汉市"])
    assert id_candidates({**before, "birth": "1996-**-**"}) > 100 * id_candidates(before)


async def _get(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> Any:
    async with http.get(url, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


def _borrower_counts(record: dict[str, Any]) -> tuple[int, list[int]]:
    kyc = record.get("kyc") or {}
    home = [record.get("address", ""), kyc.get("idIssuer", "")]
    ids = id_candidates({"id": record.get("idNo", ""), "birth": record.get("birthDate", ""),
                         "gender": record.get("gender", ""), "regions": home})
    # a relative's mobile is counted as if it were in the borrower's city too
    mobiles = [mobile_candidates(record.get("mobile", ""), home),
               mobile_candidates((record.get("emergencyContact") or {}).get("mobile", ""), home)]
    return ids, mobiles


@pytest.mark.parametrize("view", sorted(VIEWS))
async def test_every_demo_record_leaves_ten_thousand_candidates(gw: GatewayServer,  # noqa: F811
                                                                view: str) -> None:
    headers = VIEWS[view]
    records: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as http:
        for page in (1, 2):
            data = await _get(http, f"{base(gw)}/api/v1/borrowers?page={page}&size=100", headers)
            records.extend(data["items"])
        for loan_id in range(3, 80, 8):  # not consecutive: that is the enumeration detector
            records.append((await _get(http, f"{base(gw)}/api/v1/loans/{loan_id}",
                                       headers))["borrower"])
        tasks = (await _get(http, f"{base(gw)}/api/v1/collections/tasks", headers))["items"]
    assert len(records) == 210 and tasks
    id_counts: list[int] = []
    mobile_counts: list[int] = []
    for record in records:
        ids, mobiles = _borrower_counts(record)
        id_counts.append(ids)
        mobile_counts.extend(mobiles)
    mobile_counts.extend(mobile_candidates(t["mobile"], []) for t in tasks)  # no place shown
    assert len(id_counts) == 210 and len(mobile_counts) == 420 + len(tasks)
    assert min(id_counts) >= MINIMUM, (view, min(id_counts))
    assert min(mobile_counts) >= MINIMUM, (view, min(mobile_counts))
