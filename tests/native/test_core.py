"""The compiled core's own promises: the characters it handles itself are the
ones whose classes it knows; every built-in pattern has a native twin; the
path table's limit; refusals carry the Python path's codes."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter

import pytest
import regex

from gateway.detect import Detector
from gateway.detect.native_scanner import engine_config
from gateway.detect.recognizers import BUILTIN
from gateway.native import STATUS, core
from gateway.protect.engine import Outcome
from gateway.protect.native_json import Call, NativeJson, protect_json
from tests.conftest import compiled

pytestmark = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")

# The characters the core takes (chars.pxi: fold_char), and their folded forms.
KNOWN = ([chr(c) for c in (9, 10, 13, *range(0x20, 0x7F))]
         + [chr(c) for c in range(0x4E00, 0xA000)]
         + [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
         + list("\u00b7\u00a5\u2010\u2012\u2013\u2014\u2015\u2018\u2019\u201c\u201d\u2022\u2212"
                "\u3001\u3002\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011"))


def test_known_characters_fold_one_to_one_as_nfkc_does() -> None:
    for char in KNOWN:
        folded = unicodedata.normalize("NFKC", char)
        assert len(folded) == 1, repr(char)
        assert unicodedata.category(char) != "Cf"
        assert folded.lower() == folded or folded.isascii()


def test_class_memberships_the_core_assumes() -> None:
    """Outside ASCII, a folded known character is a CJK letter or punctuation
    that no class of the recognizers' patterns holds, in any case."""
    word, digit, space = regex.compile(r"\w"), regex.compile(r"\d"), regex.compile(r"\s")
    ascii_classes = regex.compile(r"[0-9A-Za-z]", regex.IGNORECASE)
    for char in KNOWN:
        folded = unicodedata.normalize("NFKC", char)
        if folded.isascii():
            continue
        if 0x4E00 <= ord(folded) <= 0x9FFF:
            assert word.match(folded) and not digit.match(folded) and not space.match(folded)
            continue
        assert not word.match(folded) and not space.match(folded), repr(char)
        assert not ascii_classes.match(folded)
        assert not folded.isalnum() and not folded.isspace()


def test_every_built_in_pattern_has_a_native_twin() -> None:
    detector = Detector()
    assert engine_config(core, detector._scanner, detector.entities) is not None
    names = {(cls.ENTITY, spec.name) for cls in BUILTIN.values() for spec in cls.SPECS}
    assert names == set(core.KINDS)


def test_paths_beyond_the_limit_are_decided_each_time() -> None:
    policy = compiled("version: 1\nupstreams: {default: {url: 'http://127.0.0.1:9'}}\n"
                      "routes: [{name: api}]\n"
                      "actions: {rules: [{name: c, fields: ['**.cvv'], operator: redact}]}\n")
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    native = NativeJson(plan, policy.detector, max_paths=3)
    body = json.dumps({f"k{i}": {"cvv": "123", "m": "13800138000"} for i in range(20)}).encode()
    new, outcome = protect_json(native, [body], None, False)
    assert new[0] is not None  # type: ignore[index]
    out = json.loads(new[0])  # type: ignore[index]
    assert all(v == {"cvv": "", "m": "138****8000"} for v in out.values())
    assert native.core.paths_known == 3
    assert outcome.counts == {("FIELD", "redact"): 20, ("CN_MOBILE", "mask"): 20}


@pytest.mark.parametrize(("body", "code"), [
    (b'{"a": 1, "a": 2}', "duplicate_key"), (b'{"x": {"k": 1, "\\u006b": 2}}', "duplicate_key"),
    (b"[NaN]", "constant"), (b"[1,]", "invalid_json"), (b'"\xff"', "invalid_charset"),
    (b"[" * 257 + b"]" * 257, "too_deep"),
])
def test_refusals(body: bytes, code: str) -> None:
    policy = compiled("version: 1\nupstreams: {default: {url: 'http://127.0.0.1:9'}}\n"
                      "routes: [{name: api}]\n")
    plan = policy.protection.plan("api", "GET", "response", "anonymous")
    native = NativeJson(plan, policy.detector)
    with pytest.raises(core.JsonRefused) as caught:
        native.core.protect([body], None, Call(native, Outcome(Counter())))
    assert caught.value.code == code
