"""A synthetic scraper and a normal user against the demo, side by side.

    python -m gateway.demo.scraper [--gateway http://127.0.0.1:8080] [--ids 60]

The scraper walks loan ids 1, 2, 3, ... from one device; the user reads a few
loans now and then from another device. With the default policy the
enumeration detector bans the scraper's device after 20 ids in a row; the
user keeps being served. Then `pii-gateway limits list` shows the ban.
"""

from __future__ import annotations

import argparse
import asyncio

import aiohttp


async def scraper(http: aiohttp.ClientSession, gateway: str, ids: int) -> None:
    for loan in range(1, ids + 1):
        async with http.get(f"{gateway}/api/v1/loans/{loan}",
                            headers={"X-Device-Id": "scraper-01"}) as resp:
            body = await resp.json()
            note = body.get("error", "") if resp.status != 200 else ""
            print(f"scraper  GET /api/v1/loans/{loan:<4} -> {resp.status} {note}")
        await asyncio.sleep(0.05)


async def user(http: aiohttp.ClientSession, gateway: str, ids: int) -> None:
    for n in range(ids // 6):
        loan = 900 + (n * 37) % 80
        async with http.get(f"{gateway}/api/v1/loans/{loan}",
                            headers={"X-Device-Id": "phone-02"}) as resp:
            print(f"user     GET /api/v1/loans/{loan:<4} -> {resp.status}")
        await asyncio.sleep(0.3)


async def main(gateway: str, ids: int) -> None:
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(scraper(http, gateway, ids), user(http, gateway, ids))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gateway", default="http://127.0.0.1:8080")
    ap.add_argument("--ids", type=int, default=60)
    args = ap.parse_args()
    asyncio.run(main(args.gateway.rstrip("/"), args.ids))
