"""The demo lending API. It keeps what it receives so a user can see exactly
what reached the upstream (ciphertext, masked values, or plaintext)."""

from __future__ import annotations

import base64
import functools
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from gateway.demo import data

BORROWERS = 1000
_dumps = functools.partial(json.dumps, ensure_ascii=False)
MAX_PAGE_SIZE = 100


@functools.lru_cache(maxsize=4096)
def _borrower_page(seed: int, page: int, size: int) -> bytes:
    first = (page - 1) * size + 1
    items = [data.borrower(seed, i) for i in range(first, min(first + size, BORROWERS + 1))]
    return _dumps({"page": page, "size": size, "total": BORROWERS, "items": items}).encode()


@functools.lru_cache(maxsize=4096)
def _loan(seed: int, loan_id: int) -> bytes:
    return _dumps(data.loan(seed, loan_id, BORROWERS)).encode()


def _json_bytes(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="application/json", charset="utf-8")


@dataclass
class DemoStore:
    seed: int = 20261128
    applications: dict[int, dict[str, Any]] = field(default_factory=dict)
    repayments: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100001))


STORE = web.AppKey("demo_store", DemoStore)
routes = web.RouteTableDef()


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status=status)


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "body must be JSON")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object")
    return body


async def _store_json(request: web.Request, into: dict[int, dict[str, Any]], id_field: str,
                      status: str) -> web.Response:
    """Keep a received JSON object, so a user can see what reached the upstream."""
    body = await _json_body(request)
    if isinstance(body, web.Response):
        return body
    store = request.app[STORE]
    new_id = next(store.ids)
    into[new_id] = body
    return _json({id_field: new_id, "status": status}, status=201)


@routes.post("/api/v1/loan-applications")
async def create_application(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return await _store_json(request, store.applications, "loanId", "received")


def _application_view(loan_id: int, application: dict[str, Any]) -> dict[str, Any]:
    return {"loanId": loan_id, "status": "under_review", "application": application}


@routes.get("/api/v1/loan-applications")
async def list_applications(request: web.Request) -> web.Response:
    paging = _paging(request)
    if isinstance(paging, web.Response):
        return paging
    page, size = paging
    stored = itertools.islice(request.app[STORE].applications.items(), (page - 1) * size,
                              page * size)
    return _json({"page": page, "size": size, "items": [_application_view(i, a)
                                                        for i, a in stored]})


@routes.get("/api/v1/loans/{id}")
async def get_loan(request: web.Request) -> web.Response:
    try:
        loan_id = int(request.match_info["id"])
    except ValueError:
        return _error(400, "loan id must be a number")
    store = request.app[STORE]
    if loan_id in store.applications:
        return _json(_application_view(loan_id, store.applications[loan_id]))
    if 1 <= loan_id <= BORROWERS * 3:
        return _json_bytes(_loan(store.seed, loan_id))
    return _error(404, "no such loan")


def _int_param(request: web.Request, name: str, default: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return default
    return int(raw) if raw.isdigit() else None


def _paging(request: web.Request) -> tuple[int, int] | web.Response:
    """(page, size) from the query, or a 400 response."""
    page = _int_param(request, "page", 1)
    size = _int_param(request, "size", 20)
    if page is None or size is None or page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        return _error(400, f"page >= 1 and 1 <= size <= {MAX_PAGE_SIZE}")
    return page, size


@routes.get("/api/v1/borrowers")
async def list_borrowers(request: web.Request) -> web.Response:
    paging = _paging(request)
    if isinstance(paging, web.Response):
        return paging
    page, size = paging
    # generated data is deterministic: pages are cached so the demo is not the bottleneck
    return _json_bytes(_borrower_page(request.app[STORE].seed, page, size))


@routes.post("/api/v1/repayments")
async def create_repayment(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return await _store_json(request, store.repayments, "repaymentId", "accepted")


@routes.get("/api/v1/collections/tasks")
async def collection_tasks(request: web.Request) -> web.Response:
    seed = request.app[STORE].seed
    tasks = [data.collection_task(seed, i, BORROWERS) for i in range(1, 21)]
    return _json({"items": tasks})


@routes.get("/_demo/received")
async def received(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return _json({"applications": store.applications,
                              "repayments": store.repayments})


@routes.route("*", "/echo/{tail:.*}")
async def echo(request: web.Request) -> web.Response:
    raw = await request.read()
    try:
        body: dict[str, str] = {"text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        body = {"base64": base64.b64encode(raw).decode()}
    return _json({
        "method": request.method,
        "path": request.raw_path.partition("?")[0],
        "query": request.raw_path.partition("?")[2],
        "headers": [[k, v] for k, v in request.headers.items()],
        "body": body,
    })


def create_demo_app(seed: int = 20261128) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[STORE] = DemoStore(seed=seed)
    app.add_routes(routes)
    return app
