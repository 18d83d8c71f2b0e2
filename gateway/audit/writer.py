"""The audit writer: records in, sealed into the chain, out to stdout or files.

Callers hand records over through a bounded queue; one thread seals and writes
them, so the event loop never waits for a disk. When the queue is full, audit
records are never dropped: with `on_full: block` the request waits for room;
with `unready` the record is kept in an overflow list, the readiness check
fails until the writer has caught up, and the count is logged.

Files are `audit-w<worker>-<chain id>-<segment>.jsonl` in the directory; a
file is rotated by size or age, the chain going on in the next one
(`audit.segment_end`, then `audit.segment_start` naming the segment). A clean
shutdown writes `audit.closed`. A checkpoint record every `checkpoint_every`
records is also logged (with its chain value) so the log collector holds
anchors outside the audit files.
"""

from __future__ import annotations

import asyncio
import collections
import os
import queue
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from gateway.audit import events
from gateway.audit.chain import Chain
from gateway.audit.metrics import track
from gateway.audit.settings import AuditSettings
from gateway.crypto import digest
from gateway.obs.logging import get_logger

log = get_logger("gateway.audit")


class AuditWriter:
    def __init__(self, settings: AuditSettings, key: bytes, kid: str, worker: int) -> None:
        self.settings = settings
        self.chain = Chain(key, kid, worker)
        self._values = digest.KeyedDigest(value_key(key))
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(settings.queue)
        self._overflow: collections.deque[dict[str, Any]] = collections.deque()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._stream: TextIO | None = None
        self._segment = 0
        self._opened = 0.0
        self._size = 0
        self.overflowed = 0

    # --- the request side -----------------------------------------------------------
    def digest(self, entity: str, value: str) -> str:
        """A keyed digest of a value, as `audit search` computes it."""
        return self._values.value(entity, value)

    @property
    def ready(self) -> bool:
        return not self._overflow

    def start(self) -> None:
        self._open()
        self._thread.start()
        track(self)

    def backlog(self) -> tuple[int, int]:
        """(records in the queue, records held beyond it), for /metrics."""
        return self._queue.qsize(), len(self._overflow)

    def emit(self, record: dict[str, Any]) -> bool:
        """Hand a record over without waiting; False when the queue is full
        and the policy says the request must wait (`emit_async`)."""
        try:
            self._queue.put_nowait(record)
            return True
        except queue.Full:
            if self.settings.on_full == "block":
                return False
            self._overflow.append(record)
            self.overflowed += 1
            if self.overflowed == 1 or self.overflowed % 1000 == 0:
                log.warning("audit_backlog", overflowed=self.overflowed)
            return True

    async def emit_async(self, record: dict[str, Any]) -> None:
        if not self.emit(record):
            await asyncio.to_thread(self._queue.put, record)

    def close(self, timeout: float = 5.0) -> None:
        if not self._thread.is_alive():
            return
        self._queue.put(None)
        self._thread.join(timeout)

    # --- the writer thread ----------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._drain_overflow()
                self._write({"event": events.CLOSED})
                self._finish()
                return
            self._write(item)
            self._rotate_if_due()
            if self._queue.empty():
                self._drain_overflow()
                self._flush()

    def _drain_overflow(self) -> None:
        while self._overflow:
            self._write(self._overflow.popleft())
            self._rotate_if_due()

    def _write(self, record: dict[str, Any]) -> None:
        record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), **record}
        line = self.chain.seal(record)
        assert self._stream is not None
        self._stream.write(line)
        self._size += len(line)
        if record["event"] not in (events.SEGMENT_START, events.SEGMENT_END) and \
                self.chain.seq % self.settings.checkpoint_every == 0:
            self._stream.write(self.chain.seal({"ts": record["ts"], "event": events.CHECKPOINT,
                                                "records": self.chain.seq}))
            log.info("audit_checkpoint", chain_id=self.chain.chain_id, seq=self.chain.seq - 1,
                     chain=self.chain.last)

    def _rotate_if_due(self) -> None:
        if self.settings.sink == "file" and (
                self._size >= self.settings.max_bytes
                or time.monotonic() - self._opened >= self.settings.max_age):
            self._write({"event": events.SEGMENT_END, "segment": self._segment})
            self._finish()
            self._segment += 1
            self._open()

    def _open(self) -> None:
        self._opened, self._size = time.monotonic(), 0
        if self.settings.sink == "stdout":
            self._stream = sys.stdout
        else:
            assert self.settings.directory is not None
            self.settings.directory.mkdir(parents=True, exist_ok=True)
            name = (f"audit-w{self.chain.worker}-{self.chain.chain_id}-"
                    f"{self._segment:04d}.jsonl")
            fd = os.open(self.settings.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o600)
            self._stream = os.fdopen(fd, "w", encoding="utf-8")
        self._write({"event": events.SEGMENT_START, "segment": self._segment})

    def _flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def _finish(self) -> None:
        if self._stream is None:
            return
        self._stream.flush()
        if self._stream is not sys.stdout:
            os.fsync(self._stream.fileno())
            self._stream.close()
        self._stream = None


def value_key(audit_key: bytes) -> bytes:
    """The key of value digests, derived from the audit key (not the chain key itself)."""
    return digest.derive(audit_key, b"pgw-audit-val")


def value_digest(value_key: bytes, entity: str, value: str) -> str:
    return digest.value_digest(value_key, entity, value)
