"""A reveal record's `fields`: the core's JSON is byte for byte what orjson
makes of the pure path's dicts, so a sealed line, its chain value and
`audit verify` do not depend on which path wrote it."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest

from gateway.audit.chain import Chain, canonical_json, legacy_json
from gateway.audit.reveals import Shown, fields_dicts, reveal_fields
from gateway.audit.verify import verify
from gateway.audit.writer import MAX_DIGESTS, value_key
from gateway.crypto.digest import KeyedDigest
from gateway.native import STATUS, core
from tests.audit.test_writer import KEY, KID, key_for

needs_core = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
# what field names look like in real bodies, and what JSON escaping must get right
NAMES = ["borrower.idNo", "items[*].mobile", "data.list[*].客户姓名", "a\"b", "back\\slash",
         "tab\there", "nl\nx", "\x00\x01\x1f\x7f", "\u2028\u2029", "😀.emoji", "é.ß", "/", "",
         "data." + "长" * 150 + ".x"]  # past the core's 128-character stack buffer
ENTITIES = ["CN_RESIDENT_ID", "CN_MOBILE", "PERSON_NAME", "ADDRESS", "类型"]
VALUES = ["11010519491231002X", "138 0013 8000", "13800138000", "张三", "ｚｈａｎｇ＠ｅｘ．ｃｏｍ",
          "北京市朝阳区建国路88号", "6222\u20130212\u200b3456", "a_b-c", ""]


def digest() -> KeyedDigest:
    return KeyedDigest(value_key(KEY))


def shown_at_random(rng: random.Random) -> Shown:
    out: Shown = []
    for _ in range(rng.randint(0, 12)):
        n = rng.choice([0, 1, 1, 2, 3, 40, MAX_DIGESTS + 3])
        values = [rng.choice(VALUES) + (str(rng.randint(0, 999)) if rng.random() < .7 else "")
                  for _ in range(n)]
        out.append(((rng.choice(NAMES) + rng.choice(["", "x", "\x05"]), rng.choice(ENTITIES)),
                    values))
    return out


@needs_core
def test_the_cores_fields_are_orjsons_serialization_of_the_dicts() -> None:
    keyed, rng = digest(), random.Random(16)
    for _ in range(300):
        shown = shown_at_random(rng)
        got = reveal_fields(keyed, shown, MAX_DIGESTS)
        assert isinstance(got, orjson.Fragment)
        assert orjson.dumps({"fields": got}) == orjson.dumps(
            {"fields": fields_dicts(keyed, shown, MAX_DIGESTS)}, option=orjson.OPT_SORT_KEYS)


@needs_core
def test_a_sealed_line_is_the_same_from_either_path(tmp_path: Path) -> None:
    keyed = digest()
    shown: Shown = [(("borrower.idNo", "CN_RESIDENT_ID"), ["11010519491231002X"]),
                    (("items[*].name", "PERSON_NAME"), ["张三", "李四", "张三"])]
    fast, plain = Chain(KEY, KID, 0), Chain(KEY, KID, 0)
    plain.chain_id = fast.chain_id
    base = {"event": "pii.revealed", "ts": "2026-12-03T00:00:00.000+00:00", "role": "risk"}
    lines = [fast.seal({**base, "fields": reveal_fields(keyed, shown, 5)}),
             plain.seal({**base, "fields": fields_dicts(keyed, shown, 5)})]
    assert lines[0] == lines[1]
    (tmp_path / "t.jsonl").write_bytes(lines[0])
    assert verify([tmp_path / "t.jsonl"], key_for, allow_open=True)[1] == []


def test_a_name_orjson_refuses_takes_the_dicts() -> None:
    """A lone surrogate (a JSON key "\\ud800" parses to one) cannot be UTF-8:
    the core refuses it as orjson does, and the pure path's dicts come back
    (the chain writes the name as its escape: tests/audit/test_chain.py,
    tests/audit/test_writer.py)."""
    keyed = digest()
    shown: Shown = [(("odd\ud800key", "CN_MOBILE"), ["13800138000"])]
    got = reveal_fields(keyed, shown, 5)
    assert isinstance(got, list) and got == fields_dicts(keyed, shown, 5)


def test_the_pure_path_builds_dicts() -> None:
    keyed = digest()
    keyed._native = None
    shown: Shown = [(("a", "CN_MOBILE"), ["13800138000", "138 0013 8000"])]
    one = keyed.value("CN_MOBILE", "13800138000")  # the two are one number
    assert reveal_fields(keyed, shown, 5) == [
        {"field": "a", "entity": "CN_MOBILE", "count": 2, "digests": [one]}]


@needs_core
def test_the_legacy_form_writes_a_fragment_as_its_json() -> None:
    """Should anything else in a record stop orjson, json.dumps writes the
    fragment as the list it stands for."""
    keyed = digest()
    shown: Shown = [(("a", "CN_MOBILE"), ["13800138000"])]
    record = {"event": "x", "fields": reveal_fields(keyed, shown, 5), "big": 2**70}
    plain = {**record, "fields": fields_dicts(keyed, shown, 5)}
    assert legacy_json(record) == legacy_json(plain) == canonical_json(record)
