"""Real Redis processes for the tests: one redis-server, or a Redis Cluster of
three masters, on 127.0.0.1 (`make test` and `.ci/run` install redis-server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.ports import free_port


class RedisProcess:
    """A real redis-server on 127.0.0.1 (no persistence), started and stopped
    by the tests. `make test` and `.ci/run` install redis-server."""

    def __init__(self, directory: Path, port: int | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        exe = shutil.which("redis-server")
        assert exe is not None, "redis-server is needed: `make test` installs it"
        self.exe = exe
        self.directory = directory
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            self.proc = None


def cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    return free_port(pair=10000)


class RedisClusterProcesses:
    """A real Redis Cluster of three masters on 127.0.0.1 (no replicas), made
    with `redis-cli --cluster create` (tests/ratelimit/test_cluster_store.py)."""

    def __init__(self, directory: Path) -> None:
        self.nodes = [RedisProcess(directory / str(i), port=cluster_port(), extra=(
            "--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{i}.conf",
            "--cluster-node-timeout", "1000")) for i in range(3)]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> RedisClusterProcesses:
        for node in self.nodes:
            node.directory.mkdir(parents=True, exist_ok=True)
            node.start()
        cli = shutil.which("redis-cli")
        assert cli is not None, "redis-cli is needed: `make test` installs redis-server"
        subprocess.run([cli, "--cluster", "create",
                        *(f"127.0.0.1:{n.port}" for n in self.nodes),
                        "--cluster-replicas", "0", "--cluster-yes"],
                       check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            states = [subprocess.run([cli, "-p", str(n.port), "cluster", "info"],
                                     capture_output=True, text=True, timeout=5).stdout
                      for n in self.nodes if n.proc is not None]
            if all("cluster_state:ok" in s for s in states):
                return self
            time.sleep(0.1)
        raise RuntimeError("the Redis Cluster did not come up")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
