"""`pii-gateway audit verify`: the first place where the trail was altered.

Records are grouped by chain id (one per writer start and worker) and read in
segment order. Within a chain, sequence numbers must run 0, 1, 2, ... and
every chain value must follow from the previous one under the audit key; the
last record must be `audit.closed` (else the tail was cut, or the writer is
still running or was killed: `--allow-open` accepts that).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.audit import events
from gateway.audit.chain import FORMS, GENESIS, link


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # FILE:LINE
    kind: str  # modified | deleted | inserted | reordered | truncated | unknown key
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Entry:
    where: str
    record: dict[str, Any] | None  # None: not a JSON object


def read(files: Iterable[Path]) -> dict[str, list[Entry]]:
    """Entries by chain id, in segment and line order (unparseable lines go to
    the chain of the file's first record)."""
    chains: dict[str, list[tuple[int, int, Entry]]] = {}
    for file in files:
        current = None
        segment = 0
        with file.open(encoding="utf-8", errors="replace") as stream:
            for number, line in enumerate(stream, 1):
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if not isinstance(record, dict):
                    record = None
                else:
                    current = str(record.get("chain_id", ""))
                    if record.get("event") == events.SEGMENT_START:
                        segment = int(record.get("segment", 0))
                entry = Entry(f"{file}:{number}", record)
                chains.setdefault(current or f"?{file}", []).append((segment, number, entry))
    return {cid: [e for _, _, e in sorted(items, key=lambda t: (t[0], t[1]))]
            for cid, items in chains.items()}


def verify_chain(entries: list[Entry], key_for: Callable[[str], bytes | None],
                 allow_open: bool) -> Problem | None:
    previous, expected = GENESIS, 0
    seqs = [e.record.get("seq") if e.record else None for e in entries]
    for index, entry in enumerate(entries):
        record = entry.record
        if record is None:
            return Problem(entry.where, "modified", "not a JSON record")
        seq = record.get("seq")
        if not isinstance(seq, int):
            return Problem(entry.where, "modified", "no sequence number")
        if seq > expected:
            if expected in seqs[index + 1:]:
                return Problem(entry.where, "reordered",
                               f"sequence {seq} where {expected} was expected; {expected} "
                               "comes later")
            return Problem(entry.where, "deleted",
                           f"records {expected}..{seq - 1} of chain {record.get('chain_id')} "
                           "are missing before this one")
        if seq < expected:
            kind = "inserted" if seqs.count(seq) > 1 else "reordered"
            return Problem(entry.where, kind, f"sequence {seq} where {expected} was expected")
        key = key_for(str(record.get("kid", "")))
        if key is None:
            return Problem(entry.where, "unknown key", "the audit key of this record is not in "
                           "the key store (destroyed, or another store)")
        if all(link(key, previous, record, form) != record.get("chain") for form in FORMS):
            return Problem(entry.where, "modified", "the record does not match its chain value")
        previous, expected = str(record["chain"]), expected + 1
    last = entries[-1]
    if not allow_open and (last.record or {}).get("event") != events.CLOSED:
        return Problem(last.where, "truncated", "the chain ends without audit.closed (cut, or "
                       "its writer is still running or was killed; --allow-open accepts that)")
    return None


def verify(files: Iterable[Path], key_for: Callable[[str], bytes | None],
           allow_open: bool = False) -> tuple[int, list[Problem]]:
    """(records checked, the first problem of each chain)."""
    chains = read(files)
    problems = []
    for entries in chains.values():
        problem = verify_chain(entries, key_for, allow_open)
        if problem is not None:
            problems.append(problem)
    return sum(len(e) for e in chains.values()), problems
