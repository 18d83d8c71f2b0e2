from __future__ import annotations

import regex

from gateway.detect.recognizers import BUILTIN
from gateway.detect.recognizers.base import compact, digits

FLAGS = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE


def test_helpers() -> None:
    assert compact("138 0013-8000x") == "13800138000X"
    assert regex.fullmatch(digits(4), "1 2-3 4")
    assert not regex.fullmatch(digits(4), "1  234")


def test_builtin_patterns_never_match_a_newline() -> None:
    """What lets the fast path join texts with newlines (JOIN_SAFE)."""
    probes = ["13800138000\n13800138000", "张三\n李四", "北京市朝阳区\n建国路1号", "a@b.cn\nx@y.cn",
              "1.2.3.4\n5.6.7.8", "京A12345\n沪B12345", "91350100M000100Y43\n1"]
    for cls in BUILTIN.values():
        for pattern in cls().patterns:
            compiled = regex.compile(pattern.regex, FLAGS)
            for probe in probes:
                assert all("\n" not in m[0] for m in compiled.finditer(probe)), pattern.name


def test_every_recognizer_validates_its_matches() -> None:
    for cls in BUILTIN.values():
        assert cls.check is not BUILTIN["CN_MOBILE"].__mro__[1].check, cls.__name__
