"""Helpers the serve and demo commands share."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from gateway import eventloop
from gateway.obs.logging import flush_logs

DEFAULT_POLICY = Path("policies/default.yaml")


def exit_now() -> None:
    """After the drain (or the grace period), exit. A body still being
    inspected on a worker thread must not keep the process alive: asyncio.run
    would wait for its executor without limit."""
    flush_logs()
    os._exit(0)


def loop_factory(args: argparse.Namespace) -> eventloop.LoopFactory | None:
    _, factory = eventloop.loop_factory(eventloop.requested(args.loop))
    return factory
