"""The gateway's HTTP/1.1 client to its upstreams: keep-alive connections on
asyncio protocols, responses parsed by llhttp (httptools).

aiohttp's client spent about half of a bare aiohttp proxy's CPU per request
(bench/README.md, "A lean upstream client"); this one does what a reverse
proxy needs and nothing else: no cookies, redirects, proxies, auto headers or
decompression.
"""
