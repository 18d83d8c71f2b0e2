"""The chain's canonical form: orjson with sorted keys; trails written with
`json.dumps` before it, and records orjson cannot write, still verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.audit.chain import GENESIS, Chain, canonical_json, legacy_json, link
from gateway.audit.verify import verify
from tests.audit.test_writer import KEY, KID, key_for

RECORDS: list[dict[str, Any]] = [
    {"event": "pii.revealed", "role": "risk_engine", "fields": [
        {"field": "borrower.name", "entity": "PERSON_NAME", "count": 1, "digests": ["ab" * 12]}]},
    {"event": "ratelimit.decision", "seen": 1.5e-7, "z": None, "a": True, "名": "值"},
    {"event": "audit.closed"},
]


def legacy_trail(path: Path) -> None:
    """A trail as the writer wrote it before orjson: json.dumps's canonical form."""
    previous, lines = GENESIS, []
    for seq, record in enumerate(RECORDS):
        full = {**record, "chain_id": "c0ffee", "worker": 0, "seq": seq, "kid": KID}
        previous = link(KEY, previous, full, legacy_json)
        lines.append(legacy_json(full)[:-1].decode() + f',"chain":"{previous}"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_two_forms_differ_only_where_floats_do() -> None:
    assert canonical_json(RECORDS[0]) == legacy_json(RECORDS[0])
    assert canonical_json(RECORDS[1]) != legacy_json(RECORDS[1])   # 1.5e-7 against 1.5e-07
    assert json.loads(canonical_json(RECORDS[1])) == json.loads(legacy_json(RECORDS[1]))


def test_a_legacy_trail_verifies_and_its_tampering_is_found(tmp_path: Path) -> None:
    path = tmp_path / "audit-w0-c0ffee-0000.jsonl"
    legacy_trail(path)
    assert verify([path], key_for) == (3, [])
    path.write_text(path.read_text(encoding="utf-8").replace('"risk_engine"', '"collections"'),
                    encoding="utf-8")
    (problem,) = verify([path], key_for)[1]
    assert (problem.kind, problem.where) == ("modified", f"{path}:1")


def test_what_orjson_cannot_write_is_sealed_in_the_legacy_form(tmp_path: Path) -> None:
    chain = Chain(KEY, KID, 0)
    lines = [chain.seal({"event": "x", "big": 2**70}), chain.seal({"event": "audit.closed"})]
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(lines))
    assert json.loads(lines[0])["big"] == 2**70
    assert verify([path], key_for) == (2, [])


def test_a_record_written_out_again_by_a_log_pipeline_still_verifies(tmp_path: Path) -> None:
    chain = Chain(KEY, KID, 0)
    lines = [chain.seal(r) for r in RECORDS]
    path = tmp_path / "reformatted.jsonl"
    path.write_text("".join(json.dumps(json.loads(line), indent=None) + "\n" for line in lines))
    assert verify([path], key_for) == (3, [])


def test_a_lone_surrogate_is_sealed_as_its_escape_and_verifies(tmp_path: Path) -> None:
    """A JSON key or string "\\ud800" parses to a lone surrogate, which UTF-8
    cannot carry: the record is sealed with the six characters of its escape
    (the reveal is recorded, not lost to audit.record_failed)."""
    chain = Chain(KEY, KID, 0)
    lines = [chain.seal({"event": "x", "fields": [{"field": "odd\ud800key", "count": 1}],
                         "note\udfff": "v\ud83d"}),
             chain.seal({"event": "audit.closed"})]
    path = tmp_path / "surrogate.jsonl"
    path.write_bytes(b"".join(lines))
    first = json.loads(lines[0])
    assert first["fields"][0]["field"] == "odd\\ud800key"
    assert first["note\\udfff"] == "v\\ud83d"
    assert verify([path], key_for) == (2, [])
    assert canonical_json({"a": "é\ud800"}) == '{"a":"é\\\\ud800"}'.encode()  # the rest as is
