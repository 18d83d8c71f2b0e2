"""The writer: sealed records, rotation with the chain going on, checkpoints,
workers with their own chains, and a full queue never dropping a record."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.audit import events
from gateway.audit.settings import AuditSettings
from gateway.audit.verify import verify
from gateway.audit.writer import GATHER, MAX_DIGESTS, AuditWriter, value_digest, value_key

KEY, KID = b"k" * 32, "aud-test0001"


def settings(directory: Path, **over: Any) -> AuditSettings:
    values = {"sink": "file", "directory": directory, "max_bytes": 10**9, "max_age": 3600.0,
              "queue": 1000, "on_full": "block", "checkpoint_every": 1000}
    values.update(over)
    return AuditSettings(**values)


def key_for(kid: str) -> bytes | None:
    return KEY if kid == KID else None


def write(directory: Path, n: int, worker: int = 0, **over: Any) -> AuditWriter:
    writer = AuditWriter(settings(directory, **over), KEY, KID, worker)
    writer.start()
    for i in range(n):
        assert writer.emit({"event": events.REVEALED, "role": "risk_engine", "count": i})
    writer.close()
    return writer


def records(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted(directory.glob("*.jsonl"))
            for line in f.read_text().splitlines()]


def test_a_clean_trail_verifies(tmp_path: Path) -> None:
    write(tmp_path, 20)
    checked, problems = verify(sorted(tmp_path.glob("*.jsonl")), key_for)
    assert problems == [] and checked == 22            # start + 20 + closed
    found = records(tmp_path)
    assert found[0]["event"] == events.SEGMENT_START and found[-1]["event"] == events.CLOSED
    assert [r["seq"] for r in found] == list(range(22))


def test_rotation_keeps_one_chain_across_files(tmp_path: Path) -> None:
    write(tmp_path, 200, max_bytes=4000, checkpoint_every=50)
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) > 3
    assert verify(files, key_for)[1] == []
    kinds = [r["event"] for r in records(tmp_path)]
    assert kinds.count(events.CHECKPOINT) >= 4 and kinds.count(events.SEGMENT_END) == \
        len(files) - 1
    files[1].unlink()                                   # a whole file goes missing
    (problem,) = verify(sorted(tmp_path.glob("*.jsonl")), key_for)[1]
    assert problem.kind == "deleted"


def test_workers_keep_their_own_chains(tmp_path: Path) -> None:
    write(tmp_path, 10, worker=0)
    write(tmp_path, 10, worker=1)
    files = sorted(tmp_path.glob("*.jsonl"))
    assert {f.name.split("-")[1] for f in files} == {"w0", "w1"}
    assert verify(files, key_for)[1] == []
    target = next(f for f in files if "-w1-" in f.name)
    lines = target.read_text().splitlines()
    lines[3] = lines[3].replace('"risk_engine"', '"collections"')
    target.write_text("\n".join(lines) + "\n")
    (problem,) = verify(files, key_for)[1]
    assert problem.kind == "modified" and problem.where == f"{target}:4"


def test_a_full_queue_fails_readiness_and_loses_nothing(tmp_path: Path) -> None:
    writer = AuditWriter(settings(tmp_path, queue=10, on_full="unready"), KEY, KID, 0)
    gate = threading.Event()
    original = writer._write

    def stalled(data: bytes) -> None:
        gate.wait(5)
        original(data)

    writer.start()
    writer._write = stalled  # type: ignore[method-assign]
    for i in range(50):
        assert writer.emit({"event": events.REVEALED, "count": i})
    assert not writer.ready and writer.overflowed > 0
    gate.set()
    deadline = time.monotonic() + 5
    while not writer.ready and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.ready
    writer.close()
    counts = [r["count"] for r in records(tmp_path) if r["event"] == events.REVEALED]
    assert sorted(counts) == list(range(50))
    assert verify(sorted(tmp_path.glob("*.jsonl")), key_for)[1] == []


async def test_a_full_queue_makes_the_request_wait_when_told_to_block(tmp_path: Path) -> None:
    writer = AuditWriter(settings(tmp_path, queue=10), KEY, KID, 0)
    gate, entered = threading.Event(), threading.Event()
    original = writer._write

    def stalled(data: bytes) -> None:
        entered.set()
        gate.wait(5)
        original(data)

    writer.start()
    writer._write = stalled  # type: ignore[method-assign]
    writer.emit({"event": events.REVEALED, "count": -1})
    assert entered.wait(5)                             # the writer thread is stuck
    accepted = [writer.emit({"event": events.REVEALED, "count": i}) for i in range(12)]
    assert accepted.count(False) >= 1                  # the caller must wait
    waiting = asyncio.ensure_future(writer.emit_async({"event": events.REVEALED, "count": 99}))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    gate.set()
    await asyncio.wait_for(waiting, 5)
    writer.close()
    assert 99 in [r.get("count") for r in records(tmp_path)]


async def test_a_hand_over_takes_nothing_when_the_request_must_wait(tmp_path: Path) -> None:
    """The middleware hands a request's records over without a coroutine; a
    full queue that blocks says no (and takes nothing), then the middleware
    awaits `emit_later`, which hands them over once there is room."""
    writer = AuditWriter(settings(tmp_path, queue=3), KEY, KID, 0)  # no thread: nothing drains
    writer._waiting = 3  # as if three sealed records were not written yet

    def request(n: int) -> Any:
        return lambda: [{"event": events.REVEALED, "count": n}]

    assert not writer.hand_over(request(1))
    assert writer._later == []
    waiting = asyncio.ensure_future(writer.emit_later(request(2)))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    with writer._room:
        writer._waiting = 0
        writer._room.notify_all()
    await asyncio.wait_for(waiting, 5)
    assert writer.hand_over(request(3))
    await asyncio.sleep(GATHER * 4)
    sealed = [json.loads(line) for line in writer._sealed if isinstance(line, bytes)]
    assert [r.get("count") for r in sealed if r["event"] == events.REVEALED] == [2, 3]


async def test_a_field_name_with_a_lone_surrogate_is_recorded(tmp_path: Path) -> None:
    """Its reveal record is sealed with the name's escape and its digests,
    on either path (the core refuses the name, the dicts are written)."""
    writer = AuditWriter(settings(tmp_path), KEY, KID, 0)  # no thread: sealed lines stay
    shown = [(("odd\ud800key", "CN_MOBILE"), ["13800138000"])]
    assert writer.hand_over(lambda: [{"event": events.REVEALED,
                                      "fields": writer.reveal_fields(shown)}])
    await asyncio.sleep(GATHER * 4)
    lines = [json.loads(line) for line in writer._sealed if isinstance(line, bytes)]
    (sealed,) = [r for r in lines if r["event"] == events.REVEALED]
    assert not [r for r in lines if r["event"] == events.RECORD_FAILED]
    (field,) = sealed["fields"]
    assert field["field"] == "odd\\ud800key" and field["count"] == 1
    assert field["digests"] == [value_digest(value_key(KEY), "CN_MOBILE", "13800138000")]


def test_stdout_sink(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    writer = AuditWriter(settings(None, sink="stdout"), KEY, KID, 0)  # type: ignore[arg-type]
    writer.start()
    writer.emit({"event": events.BLOCKED, "field": "cvv"})
    writer.close()
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["event"] for r in out] == [events.SEGMENT_START, events.BLOCKED, events.CLOSED]
    path = tmp_path / "stdout.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in out) + "\n")
    assert verify([path], key_for)[1] == []


async def test_records_made_later_keep_their_order_and_survive_close(tmp_path: Path) -> None:
    writer = AuditWriter(settings(tmp_path), KEY, KID, 0)
    writer.start()
    made: list[int] = []

    def request(i: int) -> Any:
        def records() -> list[dict[str, Any]]:
            made.append(i)
            return [{"event": events.REVEALED, "count": i}]
        return records

    def broken() -> Iterator[dict[str, Any]]:
        yield {"event": events.BLOCKED, "count": 9}  # made before the fault: kept
        raise ValueError("13800138000")  # a message that must go nowhere

    await writer.emit_later(request(0))
    await writer.emit_later(broken, {"request_id": "r-1", "route": "loans"})
    await writer.emit_later(request(1))
    assert made == []                                  # made together, a moment later
    writer.emit({"event": events.BLOCKED, "count": 2})  # after those already handed over
    assert made == [0, 1]
    await writer.emit_later(request(3))
    await asyncio.sleep(GATHER * 4)
    assert made == [0, 1, 3]                           # the gathering ran on its own
    await writer.emit_later(request(4))
    writer.close()                                     # makes what is still waiting
    check_trail(tmp_path, [0, 9, 1, 2, 3, 4])
    failed = [r for r in records(tmp_path) if r["event"] == events.RECORD_FAILED]
    assert failed == [{**failed[0], "request_id": "r-1", "route": "loans", "error": "ValueError"}]
    assert "13800138000" not in json.dumps(records(tmp_path))


def check_trail(directory: Path, counts: list[int]) -> None:
    assert [r["count"] for r in records(directory) if "count" in r] == counts
    assert verify(sorted(directory.glob("*.jsonl")), key_for)[1] == []


def test_value_digests_are_distinct_sorted_and_capped(tmp_path: Path) -> None:
    """A reveal record's digests: each value's `audit search` digest, once,
    in sorted order (not the order of the rows), at most MAX_DIGESTS."""
    writer = AuditWriter(settings(tmp_path), KEY, KID, 0)
    values = ["13800138000", "138 0013 8000", "13900139000", "13700137000"]
    many = [f"1380013{n:04d}" for n in range(MAX_DIGESTS + 50)]
    fields = writer.reveal_fields([(("a", "CN_MOBILE"), values), (("b", "CN_MOBILE"), many),
                                   (("c", "PERSON_NAME"), ["张三"])])
    # the core's JSON (an orjson Fragment) or the pure path's dicts, as the trail holds them
    got, capped, name = [f["digests"] for f in orjson.loads(orjson.dumps(fields))]
    one = [value_digest(value_key(KEY), "CN_MOBILE", v) for v in values]
    assert got == sorted(set(one)) and len(got) == 3  # the same number written two ways
    assert len(capped) == MAX_DIGESTS and capped == sorted(capped)
    assert capped == sorted(value_digest(value_key(KEY), "CN_MOBILE", v)
                            for v in many)[:MAX_DIGESTS]
    assert name == [value_digest(value_key(KEY), "PERSON_NAME", "张三")]
    assert orjson.loads(orjson.dumps(writer.reveal_fields([]))) == []
