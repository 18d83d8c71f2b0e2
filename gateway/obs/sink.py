"""A line sink that batches log lines per event-loop turn.

Inside a running event loop, lines are queued and written together once per
loop iteration (one write and one flush instead of one per line); outside a
loop they are written at once. The queue is bounded: when it is full, lines
are dropped and counted, never blocking the request path; the next batch
carries a `log_lines_dropped` line with the count.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import TextIO

MAX_PENDING = 10_000


class LineSink:
    def __init__(self, stream: TextIO | None = None, max_pending: int = MAX_PENDING) -> None:
        self._stream = stream  # None: whatever sys.stdout is at write time
        self._pending: list[str] = []
        self._scheduled = False
        self._lock = threading.Lock()
        self.max_pending = max_pending
        self.dropped = 0
        self._reported = 0

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stdout

    def msg(self, message: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            if loop is None:
                self._pending.append(message)
                self._flush_locked()
                return
            if len(self._pending) >= self.max_pending:
                self.dropped += 1
                return
            self._pending.append(message)
            if not self._scheduled:
                self._scheduled = True
                loop.call_soon(self.flush)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        lines, self._pending = self._pending, []
        if self.dropped > self._reported:  # make the loss visible in the stream itself
            lines.append(json.dumps({"event": "log_lines_dropped",
                                     "count": self.dropped - self._reported}))
            self._reported = self.dropped
        stream = self.stream
        stream.write("\n".join(lines) + "\n")
        stream.flush()
