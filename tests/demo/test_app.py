from __future__ import annotations

from typing import Any

import pytest

from gateway.demo.app import create_demo_app


@pytest.fixture
async def client(aiohttp_client: Any) -> Any:
    return await aiohttp_client(create_demo_app())


async def test_application_is_stored(client: Any) -> None:
    body = {"name": "张三", "idNo": "11010519491231002X", "mobile": "13800138000"}
    r = await client.post("/api/v1/loan-applications", json=body)
    assert r.status == 201
    loan_id = (await r.json())["loanId"]
    r = await client.get(f"/api/v1/loans/{loan_id}")
    assert (await r.json())["application"] == body
    r = await client.get("/_demo/received")
    assert str(loan_id) in (await r.json())["applications"]


async def test_applications_are_listed_in_pages(client: Any) -> None:
    for n in range(3):
        await client.post("/api/v1/loan-applications", json={"applicationNo": f"A{n}"})
    r = await client.get("/api/v1/loan-applications?page=2&size=2")
    items = (await r.json())["items"]
    assert [i["application"]["applicationNo"] for i in items] == ["A2"]
    assert items[0]["loanId"] == 100003
    assert (await client.get("/api/v1/loan-applications?size=0")).status == 400


async def test_bad_application(client: Any) -> None:
    r = await client.post("/api/v1/loan-applications", data=b"nope")
    assert r.status == 400
    r = await client.post("/api/v1/loan-applications", json=[1])
    assert r.status == 400


async def test_loans(client: Any) -> None:
    assert (await client.get("/api/v1/loans/7")).status == 200
    assert (await client.get("/api/v1/loans/999999")).status == 404
    assert (await client.get("/api/v1/loans/abc")).status == 400


@pytest.mark.parametrize(("query", "status", "count"), [
    ("", 200, 20), ("?page=2&size=100", 200, 100), ("?page=10&size=100", 200, 100),
    ("?page=11&size=100", 200, 0), ("?size=101", 400, 0), ("?page=0", 400, 0),
    ("?page=x", 400, 0),
])
async def test_borrower_pages(client: Any, query: str, status: int, count: int) -> None:
    r = await client.get("/api/v1/borrowers" + query)
    assert r.status == status
    if status == 200:
        assert len((await r.json())["items"]) == count


async def test_repayments_and_tasks(client: Any) -> None:
    r = await client.post("/api/v1/repayments", json={"loanId": 7, "amount": 100})
    assert r.status == 201
    r = await client.get("/api/v1/collections/tasks")
    assert len((await r.json())["items"]) == 20


async def test_echo(client: Any) -> None:
    r = await client.put("/echo/a/b?x=%26", data=b"\xff\x00")
    body = await r.json()
    assert body["method"] == "PUT" and body["path"] == "/echo/a/b" and body["query"] == "x=%26"
    assert body["body"] == {"base64": "/wA="}
