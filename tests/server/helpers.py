"""Start `python -m gateway ...` as a real process and wait for it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.ports import free_port


def reserve_port(host: str = "127.0.0.1") -> int:
    """A free port for a process the test starts (tests/ports.py)."""
    return free_port(host)


class GatewayProcess:
    def __init__(self, args: list[str], admin_port: int, proxy_port: int, log: Path) -> None:
        self.args = args
        self.admin_port = admin_port
        self.proxy_port = proxy_port
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self, timeout: float = 20.0) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "gateway", *self.args],
                                         stdout=out, stderr=subprocess.STDOUT, env=env)
        async with aiohttp.ClientSession() as http:
            deadline = asyncio.get_running_loop().time() + timeout
            while asyncio.get_running_loop().time() < deadline:
                assert self.proc.poll() is None, self.log.read_text()
                try:
                    async with http.get(f"http://127.0.0.1:{self.admin_port}/healthz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("gateway did not start:\n" + self.log.read_text())

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        proc = self.proc
        return await asyncio.wait_for(asyncio.to_thread(proc.wait), timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def serve_process(policy: Path, tmp: Path, *extra: str) -> GatewayProcess:
    proxy, admin = reserve_port(), reserve_port()
    args = ["serve", "--policy", str(policy), "--listen", f"127.0.0.1:{proxy}",
            "--admin", f"127.0.0.1:{admin}", "--log-format", "json", *extra]
    return GatewayProcess(args, admin, proxy, tmp / f"gateway-{proxy}.log")
