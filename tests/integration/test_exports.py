"""A spreadsheet export through the gateway: masked for an unknown caller,
as sent for a role that may see it, refused when it cannot be inspected."""

from __future__ import annotations

import io

import aiohttp
import openpyxl
from aiohttp import web

from gateway.codecs.xlsx_codec import MEDIA
from tests.codecs.test_xlsx_codec import excel_style
from tests.conftest import StartGateway, serving, single_route_policy

POLICY = """actions:
  defaults: {request: keep, response: mask}
  roles: {default: anonymous, trusted_header: {name: X-Role, from: [127.0.0.1/32]}}
  rules: [{name: ops, roles: [ops], direction: response, operator: keep}]
"""


async def _export(request: web.Request) -> web.Response:
    body = b"PK\x03\x04broken" if "broken" in request.path else excel_style()
    return web.Response(body=body, headers={
        "Content-Type": MEDIA, "Content-Disposition": 'attachment; filename="borrowers.xlsx"'})


async def test_an_export_is_masked_per_role_and_refused_when_broken(
        start_gateway: StartGateway) -> None:
    app = web.Application()
    app.router.add_get("/api/{name}", _export)
    async with serving(app) as up:
        text = single_route_policy(f"http://127.0.0.1:{up.port}",
                                   "{name: api, match: {path_prefix: /api}}")
        server = await start_gateway(text + POLICY)
        url = f"http://127.0.0.1:{server.proxy_port}/api/"
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "borrowers.xlsx") as r:
                assert r.status == 200
                masked = await r.read()
            async with http.get(url + "borrowers.xlsx", headers={"X-Role": "ops"}) as r:
                assert await r.read() == excel_style()
            async with http.get(url + "broken.xlsx") as r:
                assert r.status == 502 and (await r.json())["error"] == "upstream_invalid_xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(masked)).active
    assert sheet is not None
    values = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert "11010519491231002X" not in values and "13800138000" not in values
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["张*", "张*"]  # the 姓名 column
