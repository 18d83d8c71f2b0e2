"""A seeded fuzz run: valid requests and responses mutated to carry canaries
(mobile and ID numbers, names) wherever keys and values sit: JSON keys at any
depth (plain, escaped, full-width), values, NDJSON lines, query and form items
with and without `=`, multipart part names and file names, cookie names and
listed cookies, values glued to letters. Every forwarded request and every response is searched for
the canaries in raw, percent-decoded, JSON-unescaped and NFKC forms. Bounded:
a fixed number of cases, fixed seed."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote_plus

import aiohttp
from aiohttp import web

from tests.conftest import StartGateway, serving, single_route_policy

SEED, CASES = 20261202, 240
POLICY = ("actions: {defaults: {request: mask, response: mask}, multipart_files: allow, "
          "inspect_cookies: [sid]}\n")
SEEN = web.AppKey("seen", list)
Case = tuple[str, str, dict[str, str], bytes]  # method, target, headers, body


def canaries(rng: random.Random) -> tuple[str, str]:
    """A valid mobile number and a valid resident ID, fresh each case."""
    prefix = rng.choice(["130", "135", "138", "139", "150", "158", "177", "186", "189", "199"])
    mobile = prefix + "".join(rng.choice("0123456789") for _ in range(8))
    base = "110105" + f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}" \
           f"{rng.randint(1, 28):02d}" + f"{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(base, weights, strict=True)) % 11]
    return mobile, base + check


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def json_body(rng: random.Random, secret: str) -> bytes:
    key = rng.choice([secret, full_width(secret)])
    shape = rng.randrange(5)
    if shape == 0:
        text = json.dumps({"results": {key: {"status": "ok"}}}, ensure_ascii=False)
    elif shape == 1:
        text = json.dumps({"page": 1, "items": [{"map": {key: 1}}]}, ensure_ascii=False)
    elif shape == 2:
        text = '{"byMobile": {"' + escaped(secret) + '": true}}'
    elif shape == 3:
        text = json.dumps({"contacts": {"张三": key}}, ensure_ascii=False)
    else:
        text = json.dumps({key: [], "n": {key: {}}}, ensure_ascii=False)
    return text.encode()


def mutate(rng: random.Random) -> tuple[Case, list[str]]:
    mobile, rid = canaries(rng)
    secret = rng.choice([mobile, rid])
    kind = rng.randrange(8)
    json_type = {"Content-Type": "application/json"}
    if kind == 0:
        return ("POST", "/api/in", json_type, json_body(rng, secret)), [secret]
    if kind == 1:
        lines = [json.dumps({"a": 1}), json_body(rng, secret).decode()]
        return ("POST", "/api/in", {"Content-Type": "application/x-ndjson"},
                "\n".join(lines).encode()), [secret]
    if kind == 2:
        return ("GET", f"/api/c?{rng.choice([secret, quote(secret)])}&page=1", {}, b""), [secret]
    if kind == 3:
        body = rng.choice([f"{secret}&a=1", f"a=1&{secret}", f"q={secret}"]).encode()
        return ("POST", "/api/in", {"Content-Type": "application/x-www-form-urlencoded"},
                body), [secret]
    if kind == 4:
        part = rng.choice([f'name="{secret}"', f'name="f"; filename="借款人_{secret}.xlsx"',
                           f"name=\"f\"; filename*=UTF-8''{quote('借款人_' + secret)}.xlsx"])
        body = (f"--B\r\nContent-Disposition: form-data; {part}\r\n"
                "Content-Type: application/octet-stream\r\n\r\nDATA\r\n--B--\r\n").encode()
        return ("POST", "/api/in", {"Content-Type": "multipart/form-data; boundary=B"},
                body), [secret]
    if kind == 5:
        cookie = rng.choice([f"{secret}=1; sid=abc", f"sid={secret}; a=1"])
        return ("GET", "/api/c", {"Cookie": cookie}, b""), [secret]
    if kind == 6:  # a response keyed by the canary (the upstream builds it from the seed)
        return ("GET", f"/api/out/{rng.randrange(10**9)}", {}, b""), []
    glue = rng.choice(["m{}", "{}an", "{}A1", "tel{}x", "ID{}"])
    return ("POST", "/api/in", json_type,
            json.dumps({"mobile": glue.format(mobile), "idNo": glue.format(rid)}).encode()
            ), [mobile, rid]


def forms(text: str) -> list[str]:
    """The text as a search sees it: raw, percent-decoded, JSON-unescaped, NFKC."""
    decoded = unquote_plus(text, errors="replace")
    unescaped = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), decoded)
    return [text, decoded, unescaped, unicodedata.normalize("NFKC", unescaped)]


def leaked(data: bytes | str, secrets: list[str]) -> list[str]:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return [s for s in secrets if any(s in form for form in forms(text))]


def response_for(seed: int) -> tuple[bytes, list[str]]:
    rng = random.Random(seed)
    secret = rng.choice(canaries(rng))
    return json_body(rng, secret), [secret]


async def _in(request: web.Request) -> web.Response:
    request.app[SEEN].append((request.raw_path, dict(request.headers), await request.read()))
    return web.json_response({"ok": True})


async def _out(request: web.Request) -> web.Response:
    body, _ = response_for(int(request.match_info["seed"]))
    return web.Response(body=body, content_type="application/json")


async def test_a_seeded_fuzz_run_leaks_no_canary(start_gateway: StartGateway) -> None:
    app = web.Application()
    app[SEEN] = []
    app.router.add_get("/api/out/{seed}", _out)
    app.router.add_route("*", "/api/{tail:.*}", _in)
    rng = random.Random(SEED)
    leaks: list[tuple[int, str, list[str]]] = []
    statuses: dict[int, int] = {}
    async with serving(app) as up:
        text = single_route_policy(f"http://127.0.0.1:{up.port}",
                                   "{name: api, match: {path_prefix: /api}}")
        server = await start_gateway(text + POLICY)
        base = f"http://127.0.0.1:{server.proxy_port}"
        async with aiohttp.ClientSession() as http:
            for n in range(CASES):
                (method, target, headers, body), secrets = mutate(rng)
                if target.startswith("/api/out/"):
                    secrets = response_for(int(target.rsplit("/", 1)[1]))[1]
                before = len(app[SEEN])
                async with http.request(method, base + target, headers=headers,
                                        data=body or None) as r:
                    got = await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                check: Callable[[Any], list[str]] = lambda d, s=secrets: leaked(d, s)  # noqa: E731
                if check(got) or check(str(dict(r.headers))):
                    leaks.append((n, "client", secrets))
                for raw_path, seen_headers, seen_body in app[SEEN][before:]:
                    if check(raw_path) or check(str(seen_headers)) or check(seen_body):
                        leaks.append((n, "upstream", secrets))
    assert leaks == []
    assert statuses.get(200, 0) >= CASES * 0.9  # mutations are valid requests, not refusals
    assert len(app[SEEN]) >= CASES * 0.7  # most reached the upstream and were searched there
