"""Proven PII-free: 10,000 requests with canary personal data in every position,
then every sink is searched for the canaries in raw, NFKC-folded, digits-only,
percent-decoded and base64-decoded forms. Zero hits.

Sinks: stdout and stderr (access lines, logs, checkpoints), the audit files,
/metrics, every Redis key and value, and every file the run left in its
directory (key use counts included)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import gzip
import json
import random
import re
import unicodedata
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from gateway.demo import data
from tests.conftest import RedisProcess, base, default_policy_gateway, raw_exchange, serving

REQUESTS = 10_000
RNG = random.Random(4242)
_, CARD_NO = data.bank_card(RNG)
CANARIES = {
    "id": data.resident_id(RNG, "330106", date(1987, 3, 14)),
    "mobile": data.mobile(RNG),
    "card": CARD_NO,
    "name": "欧阳明轩",
    "email": "canary.ouyang@example.cn",
}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def spellings(value: str) -> list[str]:
    """The canary as clients may send it: plain, spaced, full-width, escaped."""
    spaced = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return [value, spaced, value.translate(FULLWIDTH), json.dumps(value)[1:-1]]


def upstream_app() -> web.Application:
    """Echoes what it gets and answers with canaries in bodies, errors and
    garbage, as a misbehaving lending service would."""
    routes = web.RouteTableDef()

    @routes.route("*", "/api/echo/{tail:.*}")
    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"headers": dict(request.headers),
                                  "body": body.decode("utf-8", "replace"),
                                  "query": request.query_string})

    @routes.get("/api/error")
    async def error(request: web.Request) -> web.Response:
        return web.json_response({"error": f"borrower {CANARIES['id']} "
                                           f"({CANARIES['mobile']}) not found"}, status=500)

    @routes.get("/api/text")
    async def text(request: web.Request) -> web.Response:
        return web.Response(text=f"{CANARIES['name']} {CANARIES['card']} {CANARIES['email']}")

    @routes.get("/api/gzip")
    async def gz(request: web.Request) -> web.Response:
        raw = json.dumps({"mobile": CANARIES["mobile"], "idNo": CANARIES["id"]}).encode()
        return web.Response(body=gzip.compress(raw), content_type="application/json",
                            headers={"Content-Encoding": "gzip"})

    @routes.get("/api/garbage")
    async def garbage(request: web.Request) -> web.Response:
        return web.Response(body=f'{{"idNo": "{CANARIES["id"]}", '.encode(),
                            content_type="application/json")

    @routes.get("/api/v1/loans/{id}")
    async def tampered(request: web.Request) -> web.Response:  # decryption failures
        return web.json_response({"loanId": 1, "application": {
            "applicationNo": "A1", "applicant": {"idNo": "pgw1.enc-00000000.AAAAAAAAAAAAAAAAAAAAAA",
                                                 "bankCard": CANARIES["card"]}}})

    app = web.Application()
    app.add_routes(routes)
    return app


def requests_for(n: int) -> tuple[str, str, dict[str, str], bytes | None]:
    """The n-th request: (method, path, headers, body), canaries somewhere."""
    name = list(CANARIES)[n % len(CANARIES)]
    value = spellings(CANARIES[name])[(n // len(CANARIES)) % 4]
    q = quote(value, safe="")
    kind = n % 17
    json_headers = {"Content-Type": "application/json"}
    if kind == 0:
        return "GET", f"/api/echo/borrowers/{q}", {}, None
    if kind == 1:
        return "GET", f"/api/echo/search?q={q}&{q}=1", {}, None
    if kind == 2:
        return "GET", "/api/echo/h", {"X-Note": CANARIES[name], "X-Device-Id": CANARIES[name],
                                      "X-Api-Key": CANARIES[name]}, None
    if kind == 3:
        return "GET", "/api/echo/c", {"Cookie": f"sid={q}; note={q}"}, None
    if kind == 4:
        return "POST", "/api/echo/j", json_headers, json.dumps(
            {"note": value, "mobile": value, value[:12]: 1}, ensure_ascii=False).encode()
    if kind == 5:
        return "POST", "/api/echo/f", {"Content-Type": "application/x-www-form-urlencoded"}, \
            f"note={q}&idNo={q}".encode()
    if kind == 6:
        boundary = "canaryboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
                f"{value}\r\n--{boundary}--\r\n").encode()
        return "POST", "/api/echo/m", {
            "Content-Type": f"multipart/form-data; boundary={boundary}"}, body
    if kind == 7:
        return "POST", "/api/echo/t", {"Content-Type": "text/plain; charset=utf-8"}, \
            value.encode()
    if kind == 8:
        return "POST", "/api/echo/n", {"Content-Type": "application/x-ndjson"}, \
            (json.dumps({"a": value}) + "\n" + json.dumps({"b": value}) + "\n").encode()
    if kind == 9:
        return "POST", "/api/echo/g", {**json_headers, "Content-Encoding": "gzip"}, \
            gzip.compress(json.dumps({"note": value}).encode())
    if kind == 10:
        return "POST", "/api/echo/bad", json_headers, f'{{"note": "{value}", '.encode()
    if kind == 11:
        return "POST", "/api/echo/u", {"Content-Type": "application/octet-stream"}, \
            value.encode()
    if kind == 12:
        return "GET", "/api/error", {}, None
    if kind == 13:
        return "GET", "/api/text", {}, None
    if kind == 14:
        return "GET", ("/api/gzip" if n % 2 else "/api/garbage"), {}, None
    if kind == 15:
        return "GET", "/api/v1/loans/1", {"X-Api-Key": "demo-risk-key"}, None
    return "POST", "/api/echo/big", json_headers, json.dumps(
        {"note": value, "pad": "x" * 70_000}).encode()  # over the route's limit


@pytest.fixture
async def upstream() -> AsyncIterator[TestServer]:
    async with serving(upstream_app()) as server:
        yield server


async def test_ten_thousand_requests_leave_no_canary_anywhere(
        tmp_path: Path, upstream: TestServer, redis_server: RedisProcess,
        capsys: pytest.CaptureFixture[str]) -> None:
    redis = Redis.from_url(redis_server.url)
    await redis.flushdb()
    def edit(policy: dict[str, Any]) -> None:
        """Redis for the limiter; limits and detectors too high to stop the run."""
        policy["routes"][0]["max_body_bytes"] = "64KiB"
        limits = policy["rate_limits"]
        limits["store"] = redis_server.url
        for limit in limits["limits"]:
            limit["rate"], limit["burst"] = "100000/s", 100000
        limits["enumeration"]["max_ids"] = limits["enumeration"]["sequential_run"] = 10**6
        limits["probing"]["min_requests"] = 10**6
        limits["paging"]["max_pages"] = 10**6
        limits["exposure"]["budgets"] = {"*": 10**6}

    gw = default_policy_gateway(tmp_path, upstream.port, edit)
    await gw.start()
    statuses: dict[int, int] = {}
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as http:
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(REQUESTS - 50):
                queue.put_nowait(n)

            async def worker() -> None:
                while not queue.empty():
                    method, target, headers, body = requests_for(queue.get_nowait())
                    async with http.request(method, base(gw) + target, headers=headers,
                                            data=body, skip_auto_headers=["Content-Type"]
                                            ) as resp:
                        await resp.read()
                        statuses[resp.status] = statuses.get(resp.status, 0) + 1

            await asyncio.gather(*(worker() for _ in range(16)))
            for n in range(50):  # malformed requests carrying canaries
                value = CANARIES[list(CANARIES)[n % len(CANARIES)]]
                raw = [f"GET /api/echo/{value} HTTP/1.1\r\nHost: x\r\n\r\n",
                       f"GET /api/echo/x HTTP/1.1\r\nHost: x\r\nX-Long: {value * 900}\r\n\r\n",
                       f"GET /api/echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                       f"Content-Length: 6\r\nX-N: {value}\r\n\r\nhello",
                       f"G{value} /x HTTP/1.1\r\nHost: x\r\n\r\n"][n % 4]
                await raw_exchange(gw.proxy_port, raw.encode(), read_timeout=1.0)
                statuses[-1] = statuses.get(-1, 0) + 1
            async with http.get(f"http://127.0.0.1:{gw.admin_port}/metrics") as resp:
                metrics = await resp.text()
    finally:
        await gw.stop()
    assert sum(statuses.values()) == REQUESTS
    assert {200, 400, 413, 415, 500, 502} <= set(statuses), statuses
    stored = []
    async for key in redis.scan_iter(count=1000):
        stored.append(key.decode("utf-8", "replace"))
        kind = (await redis.type(key)).decode()
        if kind == "string":
            stored.append((await redis.get(key) or b"").decode("utf-8", "replace"))
        elif kind == "hash":
            stored += [f"{k!r}{v!r}" for k, v in (await redis.hgetall(key)).items()]
    await redis.aclose()
    out, err = capsys.readouterr()
    files = files_left(tmp_path)
    sinks = {"stdout": out, "stderr": err, "metrics": metrics, "redis": "\n".join(stored),
             **files}
    assert any("audit-w0" in name for name in sinks) and len(out) > 1_000_000
    hits = [(sink, form, name) for sink, text in sinks.items()
            for form, variant in forms(text).items()
            for name, canary in CANARIES.items() if found(canary, variant, form)]
    assert hits == []


def files_left(directory: Path) -> dict[str, str]:
    """Every file the run left (audit files, key use counts, anything else),
    but the wrapped key store and the policies the test wrote itself."""
    return {str(p): p.read_text("utf-8", "replace") for p in directory.rglob("*")
            if p.is_file() and p.name != "keystore.json" and "policies" not in p.parts}


_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_SEPARATORS = re.compile(r"[\s\-._/()+]")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\-._/()+]+(?=\d)")


def forms(text: str) -> dict[str, str]:
    decoded = []
    for token in _B64.findall(text):
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(binascii.Error, ValueError):
                decoded.append(decode(token + "=" * (-len(token) % 4)).decode("utf-8", "ignore"))
    return {"raw": text, "nfkc": unicodedata.normalize("NFKC", text),
            "percent-decoded": unquote(unquote(text)),
            "digits-only": _BETWEEN_DIGITS.sub("", unicodedata.normalize("NFKC", text)),
            "base64-decoded": "\n".join(decoded)}


def found(canary: str, text: str, form: str) -> bool:
    if canary in text:
        return True
    bare = _SEPARATORS.sub("", canary)
    return form == "digits-only" and any(c.isdigit() for c in canary) and bare in text


@pytest.mark.parametrize("leak", [
    CANARIES["mobile"],
    " ".join(CANARIES["mobile"][i:i + 3] for i in range(0, 11, 3)),    # digits-only
    CANARIES["id"].translate(FULLWIDTH),                                   # NFKC
    quote(CANARIES["name"]),                                                # percent-decoded
    base64.b64encode(CANARIES["email"].encode()).decode(),                 # base64-decoded
    base64.urlsafe_b64encode(CANARIES["card"].encode()).decode(),
])
def test_the_search_finds_a_leak_in_each_form(leak: str) -> None:
    sink = f'{{"event": "access", "note": "{leak}", "latency_ms": 1.2}}'
    assert any(found(canary, variant, form) for form, variant in forms(sink).items()
               for canary in CANARIES.values())
