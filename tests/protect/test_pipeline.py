"""The protection pipeline through a real gateway: codecs, encodings, charsets,
rules, and failing closed."""

from __future__ import annotations

import gzip
import itertools
import json
import zlib
from collections.abc import AsyncIterator

import aiohttp
import brotli
import pytest
from aiohttp import web
from multidict import CIMultiDict

from gateway.server.runtime import GatewayServer
from tests.conftest import base, compiled, serving

MOBILE = "13800138000"
ID_NO = "11010519491231002X"
RECORD = {"name": "张三", "mobile": MOBILE, "idNo": ID_NO, "amount": 1200}


def _json(data: object, charset: str = "utf-8", **headers: str) -> web.Response:
    body = json.dumps(data, ensure_ascii=False).encode(charset)
    return web.Response(body=body, headers={"Content-Type": f"application/json; charset={charset}",
                                            **headers})


async def _record(request: web.Request) -> web.Response:
    return _json(RECORD)


async def _gbk(request: web.Request) -> web.Response:
    return _json(RECORD, "gbk")


async def _encoded(request: web.Request) -> web.Response:
    raw = json.dumps(RECORD, ensure_ascii=False).encode()
    encoding = request.match_info["encoding"]
    body = {"gzip": gzip.compress, "br": brotli.compress}.get(encoding, lambda b: b)(raw)
    return web.Response(body=body, headers={"Content-Type": "application/json",
                                            "Content-Encoding": encoding, "ETag": '"abc"'})


async def _bomb(request: web.Request) -> web.Response:
    return web.Response(body=gzip.compress(b" " * 30_000_000),
                        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})


async def _raw(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    bodies = {"dup": (b'{"a": "x", "a": "13800138000"}', "application/json"),
              "octet": (b"\x00\x01" + MOBILE.encode(), "application/octet-stream"),
              "latin1": (b'{"a": "x"}', "application/json; charset=latin-1"),
              "text": (f"请联系 {MOBILE}".encode(), "text/plain; charset=utf-8"),
              "empty": (b"", "application/json")}
    body, ctype = bodies[kind]
    return web.Response(body=body, headers={"Content-Type": ctype})


async def _echo(request: web.Request) -> web.Response:
    """What reached the upstream, as received."""
    return web.json_response({"body": (await request.read()).decode("utf-8", "replace"),
                              "query": request.query_string,
                              "encoding": request.headers.get("Content-Encoding"),
                              "mobile_header": request.headers.get("X-User-Mobile"),
                              "cookie": request.headers.get("Cookie")},
                             headers={"X-User-Mobile": MOBILE})


async def _matrix(request: web.Request) -> web.Response:
    """The mobile number in a body of any content type, charset and encoding."""
    ctype, charset, encoding = (request.query[k] for k in ("ctype", "charset", "enc"))
    text = {"json": json.dumps({"m": MOBILE}), "form": f"m={MOBILE}",
            "text": f"m {MOBILE}"}.get(request.query["shape"], MOBILE)
    body = text.encode("utf-8" if charset in ("", "latin-1", "big5") else charset)
    body = {"gzip": gzip.compress, "br": brotli.compress, "deflate": zlib.compress,
            "compress": lambda b: b, "": lambda b: b}[encoding](body)
    headers = {"Content-Type": ctype + (f"; charset={charset}" if charset else "")}
    if encoding:
        headers["Content-Encoding"] = encoding
    return web.Response(body=body, headers=headers)


@pytest.fixture
async def upstream_url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/r/matrix", _matrix)
    app.router.add_get("/r/record", _record)
    app.router.add_get("/r/gbk", _gbk)
    app.router.add_get("/r/enc/{encoding}", _encoded)
    app.router.add_get("/r/bomb", _bomb)
    app.router.add_get("/r/raw/{kind}", _raw)
    app.router.add_get("/lenient/raw/{kind}", _raw)
    app.router.add_route("*", "/r/echo", _echo)
    app.router.add_route("*", "/partner/echo", _echo)
    async with serving(app) as server:
        yield f"http://127.0.0.1:{server.port}"


POLICY = """\
version: 1
server: {{listen: "127.0.0.1:0", admin: "127.0.0.1:0", max_body_bytes: 1MiB}}
upstreams: {{default: {{url: "{url}"}}}}
routes:
  - {{name: partner, match: {{path_prefix: /partner}}}}
  - {{name: lenient, match: {{path_prefix: /lenient}}, on_error: passthrough}}
  - {{name: api, match: {{path_prefix: /r}}}}
actions:
  multipart_files: [image/png]
  inspect_headers: [X-User-Mobile]
  inspect_cookies: [mobile]
  roles:
    trusted_header: {{name: X-Caller-Role, from: [127.0.0.1/32]}}
  rules:
    - {{name: c3, routes: [partner], direction: request, fields: ["**.cvv"], operator: block,
       params: {{status: 422}}}}
    - {{name: partner ids, routes: [partner], direction: request, entities: [CN_RESIDENT_ID],
       operator: replace}}
    - {{name: headers in, direction: request, fields: ["header.*", "cookie.*"],
       entities: [CN_MOBILE], operator: replace}}
    - {{name: risk, roles: [risk_engine], operator: keep}}
"""


@pytest.fixture
async def gw(upstream_url: str) -> AsyncIterator[GatewayServer]:
    server = GatewayServer(compiled(POLICY.format(url=upstream_url)))
    await server.start()
    yield server
    await server.stop()


async def get(gw: GatewayServer, path: str,
              **headers: str) -> tuple[int, CIMultiDict[str], bytes]:
    async with aiohttp.ClientSession(auto_decompress=False) as http, \
            http.get(base(gw) + path, headers=headers) as resp:
        return resp.status, CIMultiDict(resp.headers), await resp.read()


async def test_responses_masked_for_unknown_callers_and_kept_for_the_risk_role(
        gw: GatewayServer) -> None:
    status, _, body = await get(gw, "/r/record")
    assert status == 200
    assert json.loads(body) == {"name": "张*", "mobile": "138****8000",
                                "idNo": "1****************X", "amount": 1200}
    _, _, body = await get(gw, "/r/record", **{"X-Caller-Role": "risk_engine"})
    assert json.loads(body) == RECORD


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_compressed_responses_are_inspected_and_sent_as_identity(
        gw: GatewayServer, encoding: str) -> None:
    status, headers, body = await get(gw, f"/r/enc/{encoding}")
    assert status == 200
    assert "Content-Encoding" not in headers and "ETag" not in headers
    assert headers["Content-Length"] == str(len(body))
    assert json.loads(body)["mobile"] == "138****8000"


async def test_unchanged_compressed_response_passes_as_sent(gw: GatewayServer) -> None:
    _, headers, body = await get(gw, "/r/enc/gzip", **{"X-Caller-Role": "risk_engine"})
    assert headers["Content-Encoding"] == "gzip" and headers["ETag"] == '"abc"'
    assert json.loads(gzip.decompress(body)) == RECORD


async def test_gbk_responses(gw: GatewayServer) -> None:
    _, headers, body = await get(gw, "/r/gbk")
    assert "gbk" in headers["Content-Type"]
    assert json.loads(body.decode("gbk"))["name"] == "张*"


@pytest.mark.parametrize(("kind", "code"), [
    ("dup", "upstream_duplicate_key"), ("octet", "upstream_unsupported_media_type"),
    ("latin1", "upstream_unsupported_charset"),
])
async def test_uninspectable_responses_fail_closed(gw: GatewayServer, kind: str,
                                                   code: str) -> None:
    status, _, body = await get(gw, f"/r/raw/{kind}")
    assert status == 502
    data = json.loads(body)
    assert data["error"] == code
    assert MOBILE not in body.decode()


async def test_gzip_bomb_is_refused(gw: GatewayServer) -> None:
    status, _, body = await get(gw, "/r/bomb")
    assert status == 502 and json.loads(body)["error"] == "upstream_decoded_too_large"


async def test_passthrough_route_lets_it_through_and_logs(gw: GatewayServer) -> None:
    status, _, body = await get(gw, "/lenient/raw/octet")
    assert status == 200 and MOBILE.encode() in body


async def test_text_and_empty(gw: GatewayServer) -> None:
    _, _, body = await get(gw, "/r/raw/text")
    assert body.decode() == "请联系 138****8000"
    status, _, body = await get(gw, "/r/raw/empty")
    assert status == 200 and body == b""


async def post(gw: GatewayServer, path: str, data: bytes, ctype: str,
               **headers: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http, \
            http.post(base(gw) + path, data=data,
                      headers={"Content-Type": ctype, **headers}) as resp:
        return resp.status, await resp.json()


async def test_request_rules_reach_the_upstream(gw: GatewayServer) -> None:
    body = json.dumps({"applicant": {"idNo": ID_NO, "mobile": MOBILE}}).encode()
    # the risk role reads the echo back unmasked; the request rule holds for everyone
    status, data = await post(gw, "/partner/echo", body, "application/json",
                              **{"X-Caller-Role": "risk_engine"})
    assert status == 200
    sent = json.loads(str(data["body"]))
    assert sent == {"applicant": {"idNo": "<CN_RESIDENT_ID>", "mobile": MOBILE}}


async def test_gzip_request_is_decoded_and_forwarded_as_identity(gw: GatewayServer) -> None:
    body = gzip.compress(json.dumps({"idNo": ID_NO}).encode())
    status, data = await post(gw, "/partner/echo", body, "application/json",
                              **{"Content-Encoding": "gzip"})
    assert status == 200 and data["encoding"] is None
    assert json.loads(str(data["body"])) == {"idNo": "<CN_RESIDENT_ID>"}


async def test_c3_is_blocked_naming_field_and_type_only(gw: GatewayServer) -> None:
    body = b'{"card": {"no": "6222021234567890128", "cvv": "123"}}'
    status, data = await post(gw, "/partner/echo", body, "application/json")
    assert status == 422
    assert data["error"] == "personal_data_blocked"
    assert "card.cvv" in str(data["message"]) and "123" not in str(data["message"])


@pytest.mark.parametrize(("body", "ctype", "headers", "status", "code"), [
    (b'{"a": 1, "a": 2}', "application/json", {}, 400, "duplicate_key"),
    (b"\x00\x01", "application/octet-stream", {}, 415, "unsupported_media_type"),
    (b'{"a": 1}', "application/json; charset=big5", {}, 415, "unsupported_charset"),
    (b'{"a": 1}', "application/json", {"Content-Encoding": "compress"}, 415,
     "unsupported_encoding"),
    (gzip.compress(b" " * 3_000_000), "application/json", {"Content-Encoding": "gzip"}, 413,
     "decoded_too_large"),
    (b'{"a": ', "application/json", {}, 400, "invalid_json"),
])
async def test_uninspectable_requests_fail_closed(gw: GatewayServer, body: bytes, ctype: str,
                                                  headers: dict[str, str], status: int,
                                                  code: str) -> None:
    got, data = await post(gw, "/r/echo", body, ctype, **headers)
    assert (got, data["error"]) == (status, code)


async def test_query_strings_are_inspected(gw: GatewayServer) -> None:
    async with aiohttp.ClientSession() as http, \
            http.get(base(gw) + f"/partner/echo?idNo={ID_NO}&page=1") as resp:
        data = await resp.json()
    assert ID_NO not in data["query"] and "page=1" in data["query"]


def _multipart(file_type: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("idNo", ID_NO)
    form.add_field("note", "手机" + MOBILE)
    form.add_field("photo", b"\x89PNG\r\n", filename="id.png", content_type=file_type)
    return form


async def test_multipart_text_fields_inspected_and_file_types_governed(
        gw: GatewayServer) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(base(gw) + "/partner/echo", data=_multipart("image/png"),
                             headers={"X-Caller-Role": "risk_engine"}) as resp:
            assert resp.status == 200
            sent = (await resp.json())["body"]
        assert ID_NO not in sent and "<CN_RESIDENT_ID>" in sent and MOBILE in sent
        assert "\x89PNG" in sent or "PNG" in sent
        async with http.post(base(gw) + "/partner/echo",
                             data=_multipart("application/pdf")) as resp:
            assert resp.status == 415
            assert (await resp.json())["error"] == "file_part_not_allowed"


async def test_selected_response_headers_are_inspected(gw: GatewayServer) -> None:
    async with aiohttp.ClientSession() as http, \
            http.get(base(gw) + "/r/echo", headers={"X-Caller-Role": "auditor"}) as resp:
        assert resp.status == 200
        assert resp.headers["X-User-Mobile"] == "138****8000"  # response default: mask


async def test_request_header_rules_reach_the_upstream(gw: GatewayServer) -> None:
    headers = {"X-User-Mobile": MOBILE, "Cookie": f"sid=1; mobile={MOBILE}",
               "X-Caller-Role": "risk_engine"}
    async with aiohttp.ClientSession() as http, \
            http.get(base(gw) + "/r/echo", headers=headers) as resp:
        data = await resp.json()
        assert resp.headers["X-User-Mobile"] == MOBILE  # the risk role sees it
    assert data["mobile_header"] == "<CN_MOBILE>"
    assert data["cookie"] == "sid=1; mobile=%3CCN_MOBILE%3E"


async def test_no_response_passes_unscanned(gw: GatewayServer) -> None:
    """Every combination either comes back inspected (the mobile masked) or is
    refused with a JSON error; the raw number never reaches the client."""
    shapes = {"json": "application/json", "form": "application/x-www-form-urlencoded",
              "text": "text/plain", "raw": "application/octet-stream"}
    passed = refused = 0
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        for (shape, ctype), charset, enc in itertools.product(
                [*shapes.items(), ("json", "application/vnd.x+json"), ("raw", "image/png"),
                 ("raw", "")],
                ["", "utf-8", "gbk", "latin-1", "big5"], ["", "gzip", "br", "deflate", "compress"]):
            query = f"shape={shape}&ctype={ctype}&charset={charset}&enc={enc}"
            async with http.get(base(gw) + "/r/matrix?" + query) as resp:
                body = await resp.read()
            assert MOBILE.encode() not in body, query
            if resp.status == 200:
                passed += 1
                plain = {"gzip": gzip.decompress, "br": brotli.decompress,
                         "deflate": zlib.decompress}.get(resp.headers.get("Content-Encoding", ""),
                                                         lambda b: b)(body)
                assert b"138****8000" in plain or b"138%2A%2A%2A%2A8000" in plain, query
            else:
                refused += 1
                assert resp.status == 502 and "error" in json.loads(body), query
    assert passed >= 30 and refused >= 100  # 36 and 174 when written


async def test_refused_file_types_are_refused_even_on_passthrough_routes(
        gw: GatewayServer) -> None:
    async with aiohttp.ClientSession() as http, \
            http.post(base(gw) + "/lenient/raw/x", data=_multipart("application/pdf")) as resp:
        assert resp.status == 415
        assert (await resp.json())["error"] == "file_part_not_allowed"
