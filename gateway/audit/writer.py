"""The audit writer: records sealed into the chain as they come, written out
to stdout or files by a thread.

A record is sealed (timestamped, serialized, chained) on the caller's
thread, in the order records are emitted: at once by `emit`, or, for a
request's records (`emit_later`), made and sealed `GATHER` seconds later
with those of the other requests finishing meanwhile, in one warm pass.
Sealed lines wait in a list that the writer thread takes whole every
`LINGER` seconds and writes with one call, so the event loop never waits for
a disk and the thread wakes (and takes its turn at the GIL) a few dozen
times a second instead of once per record. Records are never dropped: while
`queue` records wait, `on_full: block` makes the request wait for room,
`unready` keeps them and fails the readiness check until the writer has
caught up.

Files are `audit-w<worker>-<chain id>-<segment>.jsonl` in the directory; a
file is rotated by size or age, the chain going on in the next one
(`audit.segment_end`, then `audit.segment_start` naming the segment). A clean
shutdown writes `audit.closed`. A checkpoint record every `checkpoint_every`
records is also logged (with its chain value) so the log collector holds
anchors outside the audit files.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

import orjson

from gateway.audit import events, reveals
from gateway.audit.chain import Chain
from gateway.audit.metrics import track
from gateway.audit.settings import AuditSettings
from gateway.crypto import digest
from gateway.obs.logging import get_logger

log = get_logger("gateway.audit")
LINGER = 0.02  # seconds the writer gathers sealed records before one write
GATHER = 0.005  # seconds requests' records wait to be made and sealed together
MAX_DIGESTS = 1000  # value digests per field in one reveal record
Records = Callable[[], Iterable[dict[str, Any]]]
_BOOKKEEPING = (events.SEGMENT_START, events.SEGMENT_END, events.CHECKPOINT, events.CLOSED)


@dataclass(frozen=True, slots=True)
class NextSegment:
    """In the sealed lines: the file ends here, the next segment starts."""

    segment: int


class AuditWriter:
    def __init__(self, settings: AuditSettings, key: bytes, kid: str, worker: int) -> None:
        self.settings = settings
        self.chain = Chain(key, kid, worker)
        self._values = digest.KeyedDigest(value_key(key))
        self._lock = threading.Lock()  # the chain, the sealed lines, the counts
        self._sealed: list[bytes | NextSegment] = []
        self._waiting = 0  # records sealed and not yet written
        self._wake = threading.Event()
        self._room = threading.Condition(self._lock)  # notified as records are written
        self._closing = False
        # requests' records (and what names the request), made at the next gathering
        self._later: list[tuple[Records, Mapping[str, Any]]] = []
        self._scheduled = False
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._stream: BinaryIO | _Stdout | None = None
        self._segment = 0  # sealing side: the segment new records go to
        self._opened = 0.0
        self._size = 0
        self.overflowed = 0

    # --- the request side -----------------------------------------------------------
    def reveal_fields(self, shown: reveals.Shown) -> list[dict[str, Any]] | orjson.Fragment:
        """A reveal record's `fields` (gateway/audit/reveals.py): per field,
        the distinct `digest`s of its values, sorted (the order of the
        values is not recorded), at most MAX_DIGESTS."""
        return reveals.reveal_fields(self._values, shown, MAX_DIGESTS)

    @property
    def ready(self) -> bool:
        return self._waiting + len(self._later) <= self.settings.queue

    def start(self) -> None:
        self._stream = self._open(0)
        self._opened = time.monotonic()
        with self._lock:
            self._seal({"event": events.SEGMENT_START, "segment": 0})
        self._thread.start()
        track(self)

    def backlog(self) -> tuple[int, int]:
        """(records waiting within the queue size, records held beyond it), for /metrics."""
        waiting, size = self._waiting, self.settings.queue
        return min(waiting, size), max(0, waiting - size)

    def emit(self, record: dict[str, Any]) -> bool:
        """Seal a record without waiting; False (nothing sealed) when the
        queue is full and the policy says the request must wait (`emit_async`)."""
        if not self._admit():
            return False
        with self._lock:
            self._make_later()
            self._seal(record)
        return True

    async def emit_async(self, record: dict[str, Any]) -> None:
        while not self.emit(record):
            await asyncio.to_thread(self._wait_for_room)

    async def emit_later(self, records: Records, about: Mapping[str, Any] | None = None
                         ) -> None:
        """A request's records, made (`records()`, digests and all) and sealed
        a moment later together with those of the requests finishing in the
        meantime: one warm pass over many instead of a cold one per request.
        `about` (request id, route: never values) goes into the
        `audit.record_failed` record sealed if making them fails."""
        while not self.hand_over(records, about):
            await asyncio.to_thread(self._wait_for_room)

    def hand_over(self, records: Records, about: Mapping[str, Any] | None = None) -> bool:
        """`emit_later` without waiting (no coroutine for the usual case);
        False, nothing taken, when the request must wait for room."""
        if not self._admit():
            return False
        self._later.append((records, about or {}))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(GATHER, self._made_later)
        return True

    def _admit(self) -> bool:
        """Room for one more; else False when the request must wait, or the
        record is held beyond the queue (`unready`) and counted."""
        if self._waiting + len(self._later) < self.settings.queue:
            return True
        if self.settings.on_full == "block":
            return False
        self.overflowed += 1
        if self.overflowed == 1 or self.overflowed % 1000 == 0:
            log.warning("audit_backlog", overflowed=self.overflowed)
        return True

    def _wait_for_room(self) -> None:
        with self._room:
            self._room.wait_for(lambda: self._waiting + len(self._later) < self.settings.queue,
                                timeout=1.0)

    def _made_later(self) -> None:
        with self._lock:
            self._scheduled = False
            self._make_later()

    def _make_later(self) -> None:
        """Make and seal the records handed over by `emit_later` (the lock held)."""
        makers, self._later = self._later, []
        ts = now()  # one time for the records sealed together
        for make, about in makers:
            try:
                for record in make():
                    self._seal(record, ts)
            except Exception as exc:  # never a value in the trail or the log: the type only
                error = type(exc).__name__
                self._seal({**about, "event": events.RECORD_FAILED, "error": error}, ts)
                log.error("audit_record_failed", error=error)

    def close(self, timeout: float = 5.0) -> None:
        if not self._thread.is_alive():
            return
        with self._lock:
            self._make_later()
            self._seal({"event": events.CLOSED})
            self._closing = True
        self._wake.set()
        self._thread.join(timeout)

    def _seal(self, record: dict[str, Any], ts: str | None = None) -> None:
        """Chain one record (the lock held), with the checkpoint and the file
        rotation that follow it; `ts`: the time of sealing, when known."""
        ts = ts or now()
        self._append(self.chain.seal(record, ts))
        if record["event"] in _BOOKKEEPING:
            return
        if self.chain.seq % self.settings.checkpoint_every == 0:
            self._append(self.chain.seal({"event": events.CHECKPOINT,
                                          "records": self.chain.seq}, ts))
            log.info("audit_checkpoint", chain_id=self.chain.chain_id, seq=self.chain.seq - 1,
                     chain=self.chain.last)
        if self.settings.sink == "file" and (
                self._size >= self.settings.max_bytes
                or time.monotonic() - self._opened >= self.settings.max_age):
            self._append(self.chain.seal({"event": events.SEGMENT_END,
                                          "segment": self._segment}, ts))
            self._segment += 1
            self._sealed.append(NextSegment(self._segment))
            self._size, self._opened = 0, time.monotonic()
            self._append(self.chain.seal({"event": events.SEGMENT_START,
                                          "segment": self._segment}, ts))

    def _append(self, line: bytes) -> None:
        self._sealed.append(line)
        self._waiting += 1
        self._size += len(line)
        if not self._wake.is_set():
            self._wake.set()

    # --- the writer thread ----------------------------------------------------------
    def _run(self) -> None:
        while True:
            self._wake.wait()
            if not self._closing:
                time.sleep(LINGER)  # let more records come: one write for them all
            with self._lock:
                taken, self._sealed = self._sealed, []
                self._wake.clear()
                closing = self._closing
            written = self._write_out(taken)
            with self._room:
                self._waiting -= written
                self._room.notify_all()
            if closing and not self._sealed:
                self._finish()
                return

    def _write_out(self, items: list[bytes | NextSegment]) -> int:
        """Write sealed lines in order, one call per file; returns the records written."""
        run: list[bytes] = []
        for item in items:
            if isinstance(item, NextSegment):
                self._write(b"".join(run))
                run = []
                self._finish()
                self._stream = self._open(item.segment)
            else:
                run.append(item)
        self._write(b"".join(run))
        self._flush()
        return len(items) - sum(isinstance(item, NextSegment) for item in items)

    def _write(self, data: bytes) -> None:
        if data and self._stream is not None:
            self._stream.write(data)

    def _open(self, segment: int) -> BinaryIO | _Stdout:
        if self.settings.sink == "stdout":
            return _Stdout()
        assert self.settings.directory is not None
        self.settings.directory.mkdir(parents=True, exist_ok=True)
        name = f"audit-w{self.chain.worker}-{self.chain.chain_id}-{segment:04d}.jsonl"
        fd = os.open(self.settings.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     0o600)
        return os.fdopen(fd, "wb")

    def _flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def _finish(self) -> None:
        if self._stream is None:
            return
        stream, self._stream = self._stream, None
        stream.flush()
        if not isinstance(stream, _Stdout):
            os.fsync(stream.fileno())
            stream.close()


class _Stdout:
    """The stdout sink as a byte stream (whatever `sys.stdout` is at the time,
    so the lines go through the same text layer as the logs)."""

    def write(self, data: bytes) -> int:
        return sys.stdout.write(data.decode())

    def flush(self) -> None:
        sys.stdout.flush()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def value_key(audit_key: bytes) -> bytes:
    """The key of value digests, derived from the audit key (not the chain key itself)."""
    return digest.derive(audit_key, b"pgw-audit-val")


def value_digest(value_key: bytes, entity: str, value: str) -> str:
    return digest.value_digest(value_key, entity, value)
