"""The native scanner gives the Python path's findings (the differential test):
on the whole evaluation set and on seeded texts built to reach the corners of
every pattern, with and without field hints, thresholds and policy
recognizers."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from gateway.detect import DetectionSettings, Detector
from gateway.detect.recognizers.custom import CustomPattern, CustomSpec
from gateway.detect.results import Finding
from gateway.native import STATUS, core
from tests.detect.evalset import generate
from tests.native import fuzz

pytestmark = pytest.mark.skipif(core is None, reason=f"native core: {STATUS}")
Key = list[tuple[str, int, int, float]]


def _key(findings: list[Finding]) -> Key:
    return [(f.entity_type, f.start, f.end, f.score) for f in findings]


def _compare(detector: Detector, items: list[tuple[str, tuple[str, ...]]]) -> list[object]:
    assert detector.native is not None
    native = detector.detect_many(items)
    python = detector.python_many(items)
    return [(items[i], _key(a), _key(b)) for i, (a, b) in enumerate(zip(native, python,
                                                                        strict=True))
            if _key(a) != _key(b)]


def _native_share(detector: Detector, items: list[tuple[str, tuple[str, ...]]]) -> Counter[str]:
    """Findings the core made itself (not handed to the Python path), by entity."""
    assert detector.native is not None
    engine = detector.native.engine
    raw = engine.detect_batch([t for t, _ in items], [detector.native.bits(h) for _, h in items])
    return Counter(engine.entities[e] for spans in raw if spans is not None for e, *_ in spans)


def test_the_whole_evaluation_set() -> None:
    detector = Detector()
    samples = generate()
    items = [(s.text, s.hints) for s in samples]
    assert _compare(detector, items) == []
    made = _native_share(detector, items)
    # not vacuous: every type the set holds (all but CN_TAIWAN_PERMIT), found natively
    assert sum(made.values()) > 5000 and len(made) == 14


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seeded_texts(seed: int) -> None:
    detector = Detector()
    rng = random.Random(seed)
    items = [(fuzz.text(rng), fuzz.hints(rng)) for _ in range(12000)]
    assert _compare(detector, items) == []
    assert len(_native_share(detector, items)) == 15


def test_thresholds_entities_and_policy_recognizers() -> None:
    detector = Detector(DetectionSettings(
        entities=frozenset({"CN_MOBILE", "CN_BANK_CARD", "PERSON_NAME", "CN_TAIWAN_PERMIT"}),
        thresholds={"CN_MOBILE": 0.6, "CN_BANK_CARD": 0.2, "CN_TAIWAN_PERMIT": 0.01},
        hints={"person_name": ("kehu",)},
        custom=(CustomSpec("EMPLOYEE_NO", (CustomPattern("emp", r"EMP-?[0-9]{6}", 0.3),),
                           context=("工号",)),
                CustomSpec("CN_MOBILE", (CustomPattern("m", r"1[3-9][0-9]{9}", 0.55),),
                           context=("phone",))),
    ))
    rng = random.Random(7)
    items = [(fuzz.text(rng), fuzz.hints(rng) + (("kehu",) if rng.random() < 0.1 else ()))
             for _ in range(6000)]
    items += [("工号EMP-123456 电话13800138000", ()), ("phone 13800138000", ("x",)),
              ("张三", ("kehu",)), ("12345678", ("台胞证",))]
    assert _compare(detector, items) == []


def test_texts_outside_the_known_characters_take_the_python_path() -> None:
    detector = Detector()
    assert detector.native is not None
    engine = detector.native.engine
    assert engine.detect("电话\u200b13800138000") is None          # a format character
    assert engine.detect("一三八零零一三八零零零") is None          # Chinese numerals folded
    assert engine.detect("Ⅻ 13800138000") is None                  # not a known character
    assert engine.detect("１３８００１３８０００") is not None      # full-width: folded natively
    for text in ("电话\u200b13800138000", "一三八零零一三八零零零"):
        assert _key(detector.detect(text)) == _key(detector.python_many([(text, ())])[0])
        assert detector.detect(text)


def _base64_corners(rng: random.Random) -> list[str]:
    """Base64 of text and of bytes that are almost text (a control character,
    a broken or overlong UTF-8 sequence, a surrogate), padded or not, in both
    alphabets, whole and as tokens inside texts, plus look-alikes that are not
    base64."""
    import base64

    payloads = [b"13800138000", "张伟".encode(), "手机13912345678".encode(), b"a\x01b\x02c\x03",
                b"\xc0\xaf" * 4, b"\xed\xa0\x80abcdef", b"\xf4\x90\x80\x80abcd", b"\x7f" * 6,
                "\u2028段落\u2028".encode(), b"tab\tnew\nline\r", bytes(range(0x20, 0x80))]
    payloads += [rng.randbytes(rng.randrange(6, 40)) for _ in range(300)]
    payloads += [fuzz.text(rng).encode() for _ in range(200)]
    texts = []
    for data in payloads:
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(data).decode()
            texts += [text, text.rstrip("="), text + "=", "x" + text, text[1:]]
            # the same as a token inside a text, at its edges, after `=`
            texts += [f"备注 {text} 请核实", f"k={text}&v=1", f"{text}，已核实", f"a {text}= b",
                      f"({text})", f"x{text}"]
    texts += ["Abcdefgh", "12345678", "abc+def_ghij", "====AAAA", "AAAA====", "AAAAAAA=",
              "a MTM4+MDAx_MzgwMDA b", "a MTM4MDAxMzgwMDA=== b"]
    return texts


def test_base64_values_are_deferred_exactly_when_the_reference_decodes_them() -> None:
    from gateway.detect.normalize import _B64_TOKEN, base64_text

    detector = Detector()
    assert detector.native is not None
    texts = _base64_corners(random.Random(11))
    hints = [("mobile",), ("name",), (), ("remark",)]
    items = [(t, hints[i % 4]) for i, t in enumerate(texts)]
    assert _compare(detector, items) == []
    deferred = {t for t in texts if detector.native.engine.detect(t) is None}
    decoded = {t for t in texts if base64_text(t) is not None}
    assert len(decoded) > 300
    # whole values, and tokens inside a text (a corner text may hold one)
    decoded |= {t for t in texts
                if any(base64_text(m[0]) is not None for m in _B64_TOKEN.finditer(t))}
    assert decoded <= deferred                 # the core never keeps what the reference decodes
    assert len(deferred - decoded) <= 4        # and little more (C1 controls, unassigned)
