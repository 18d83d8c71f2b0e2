"""The baseline: a bare aiohttp pass-through proxy, about 40 lines.

No checks, no limits, no logging: what "an aiohttp reverse proxy" costs.
Usage: python bench/bare_proxy.py LISTEN_PORT UPSTREAM_URL [uvloop]
(`uvloop`: run it on uvloop, to compare like with like against the gateway,
which uses uvloop when installed.)
"""

import sys

import aiohttp
from aiohttp import web

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate", "host", "content-length"}


async def handle(request: web.Request) -> web.StreamResponse:
    session: aiohttp.ClientSession = request.app["session"]
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
    body = await request.read() if request.body_exists else None
    async with session.request(request.method, request.app["upstream"] + request.raw_path,
                               headers=headers, data=body, allow_redirects=False) as up:
        resp = web.StreamResponse(status=up.status,
                                  headers={k: v for k, v in up.headers.items()
                                           if k.lower() not in HOP})
        resp.content_length = up.content_length
        await resp.prepare(request)
        async for chunk in up.content.iter_chunked(65536):
            await resp.write(chunk)
        await resp.write_eof()
        return resp


async def session_ctx(app: web.Application):  # type: ignore[no-untyped-def]
    app["session"] = aiohttp.ClientSession(auto_decompress=False)
    yield
    await app["session"].close()


def main() -> None:
    app = web.Application()
    app["upstream"] = sys.argv[2].rstrip("/")
    app.cleanup_ctx.append(session_ctx)
    app.router.add_route("*", "/{tail:.*}", handle)
    loop = None
    if sys.argv[3:] == ["uvloop"]:
        import uvloop

        loop = uvloop.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None,
                loop=loop)


if __name__ == "__main__":
    main()
