"""`--workers N`: N processes sharing the listen port with SO_REUSEPORT.

The supervisor starts the workers, forwards SIGTERM/SIGINT/SIGHUP to them,
restarts a worker that dies unexpectedly (with a back-off), and exits when
all workers have exited after a stop signal.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

from gateway.obs.logging import get_logger

log = get_logger("gateway.supervisor")
_RESTART_BACKOFF = 1.0


def supervise(n: int, worker_args: list[str]) -> int:
    procs: dict[int, subprocess.Popen[bytes]] = {}
    stopping = False

    def spawn(i: int) -> None:
        cmd = [sys.executable, "-m", "gateway", "serve", *worker_args,
               "--workers", "1", "--worker-id", str(i), "--reuse-port"]
        procs[i] = subprocess.Popen(cmd)  # noqa: S603 - our own interpreter and module

    def forward(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        if signum in (signal.SIGTERM, signal.SIGINT):
            stopping = True
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    for i in range(n):
        spawn(i)
    log.info("workers_started", workers=n)
    while True:
        time.sleep(0.2)
        for i, p in list(procs.items()):
            code = p.poll()
            if code is None:
                continue
            if stopping:
                continue
            log.error("worker_exited", worker=i, code=code)
            time.sleep(_RESTART_BACKOFF)
            spawn(i)
        if stopping and all(p.poll() is not None for p in procs.values()):
            codes = [p.returncode for p in procs.values()]
            log.info("workers_stopped", codes=codes)
            # A worker still starting up when the signal came dies of it: that is a clean stop.
            clean = {0, -signal.SIGTERM, -signal.SIGINT}
            return 0 if all(c in clean for c in codes) else 1
