"""Which event loop the gateway runs on: uvloop when installed, asyncio's own otherwise.

uvloop (libuv under the asyncio API) cuts the loop's own per-request work: the
socket reads and writes, timers and callbacks that a 2 KB exchange is mostly
made of. `--loop asyncio` (or PII_GATEWAY_LOOP=asyncio) turns it off, for
comparison or when a platform has no wheel; `--loop uvloop` refuses to start
without it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any

CHOICES = ("auto", "uvloop", "asyncio")
ENV = "PII_GATEWAY_LOOP"

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class LoopUnavailable(RuntimeError):
    """`--loop uvloop` on a machine without uvloop."""


def requested(flag: str | None) -> str:
    """The flag if given, else the environment, else auto."""
    choice = flag or os.environ.get(ENV, "").strip().lower() or "auto"
    if choice not in CHOICES:
        raise LoopUnavailable(f"{ENV}/--loop must be one of {', '.join(CHOICES)}")
    return choice


def loop_factory(choice: str) -> tuple[str, LoopFactory | None]:
    """The loop's name and a factory for it (None: asyncio's default)."""
    if choice == "asyncio":
        return "asyncio", None
    try:
        import uvloop
    except ImportError as exc:
        if choice == "uvloop":
            raise LoopUnavailable("--loop uvloop: uvloop is not installed") from exc
        return "asyncio", None
    return "uvloop", uvloop.new_event_loop


def run(main: Coroutine[Any, Any, None], factory: LoopFactory | None) -> None:
    """asyncio.run with a chosen loop (Python 3.11 has no loop_factory there)."""
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main)


def running() -> str:
    """The running loop's name, for the startup log and /version."""
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.startswith("uvloop") else "asyncio"
