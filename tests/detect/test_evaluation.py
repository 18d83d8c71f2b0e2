"""Recall and false positives on the seeded evaluation set (issue thresholds)."""

from __future__ import annotations

import pytest

from gateway.detect import Detector
from tests.detect.evalset import CHECKSUM_TYPES, Metrics, evaluate, generate


@pytest.fixture(scope="module")
def results() -> tuple[list, list]:
    samples = generate()
    return samples, Detector().detect_many([(s.text, s.hints) for s in samples])


def _metrics(results: tuple[list, list], *kinds: str) -> Metrics:
    samples, findings = results
    return evaluate(samples, findings, kinds or None)


@pytest.mark.parametrize("entity", CHECKSUM_TYPES)
def test_checksum_types(results: tuple[list, list], entity: str) -> None:
    metrics = _metrics(results)
    assert metrics.expected[entity] >= 300
    assert metrics.recall(entity) >= 0.99
    assert metrics.fp_rate(entity) <= 0.005


@pytest.mark.parametrize("entity", ["PERSON_NAME", "ADDRESS"])
def test_names_and_addresses_in_hinted_fields(results: tuple[list, list], entity: str) -> None:
    assert _metrics(results, "field").recall(entity) >= 0.98


def test_evasions_and_hard_negatives(results: tuple[list, list]) -> None:
    evasions = _metrics(results, "evasion")
    for entity in ("CN_MOBILE", "CN_RESIDENT_ID", "CN_BANK_CARD"):
        assert evasions.recall(entity) >= 0.99
    negatives = _metrics(results, "negative")
    assert negatives.samples > 1000
    assert sum(negatives.false_positives.values()) <= 0.005 * negatives.samples


def test_other_types_in_fields_and_text(results: tuple[list, list]) -> None:
    metrics = _metrics(results)
    for entity in ("CN_LANDLINE", "CN_PASSPORT", "CN_HK_MACAU_PERMIT", "CN_HOME_RETURN_PERMIT",
                   "CN_LICENSE_PLATE", "EMAIL_ADDRESS", "IP_ADDRESS"):
        assert metrics.recall(entity) >= 0.98, entity
        assert metrics.fp_rate(entity) <= 0.005, entity


def test_names_and_addresses_under_field_names_as_written(results: tuple[list, list]) -> None:
    """keynames.py: roles and head nouns in every naming style, Chinese keys,
    pinyin abbreviations, people lists (24.5 % of names before the catalog)."""
    metrics = _metrics(results, "vocab")
    for entity in ("PERSON_NAME", "ADDRESS"):
        assert metrics.expected[entity] >= 300, entity
        assert metrics.recall(entity) >= 0.98, (entity, metrics.recall(entity))
    negatives = _metrics(results, "vocab_negative")
    assert negatives.samples >= 500
    assert sum(negatives.false_positives.values()) <= 0.005 * negatives.samples


def test_hard_evasions(results: tuple[list, list]) -> None:
    """HTML references, percent encoding (once, twice), Arabic-Indic and
    Devanagari digits, financial numerals, dotted groups; whole values in
    base64 (the base64 look-alikes are among the hard negatives)."""
    metrics = _metrics(results, "evasion_hard")
    for entity in ("CN_MOBILE", "CN_RESIDENT_ID"):
        assert metrics.expected[entity] >= 250, entity
        assert metrics.recall(entity) >= 0.99, (entity, metrics.recall(entity))
    for entity in ("CN_BANK_CARD", "PERSON_NAME", "EMAIL_ADDRESS"):  # base64 only
        assert metrics.expected[entity] >= 50, entity
        assert metrics.recall(entity) >= 0.99, (entity, metrics.recall(entity))


def test_formats_from_public_suites(results: tuple[list, list]) -> None:
    metrics = _metrics(results, "format")
    for entity in ("CN_RESIDENT_ID", "EMAIL_ADDRESS", "IP_ADDRESS", "CN_MOBILE", "CN_USCC",
                   "CREDIT_CARD", "CN_LANDLINE"):
        assert metrics.expected[entity] >= 50, entity
        assert metrics.recall(entity) >= 0.99, (entity, metrics.recall(entity))


def test_display_names_in_notes(results: tuple[list, list]) -> None:
    """Contact display names (王姐, 李总, 吴老师) in collection notes, call
    transcripts and contact lists; the title-first forms 老王/小李 (one in
    eight) by the prose pass (88.8 % before it)."""
    metrics = _metrics(results, "contact_note")
    assert metrics.expected["PERSON_NAME"] >= 300
    assert metrics.recall("PERSON_NAME") >= 0.98, metrics.recall("PERSON_NAME")
    assert sum(metrics.false_positives.values()) == 0


def test_addresses_from_a_city_or_county_without_a_cue(results: tuple[list, list]) -> None:
    """宜昌市西陵区..., 义乌市稠城街道... in notes with no cue word; the names on
    shipping labels beside them (收货信息：郭琳 131...) stand right before a
    mobile number."""
    metrics = _metrics(results, "town_address")
    assert metrics.expected["ADDRESS"] >= 300
    assert metrics.recall("ADDRESS") >= 0.99, metrics.recall("ADDRESS")
    assert metrics.recall("PERSON_NAME") >= 0.99
    assert sum(metrics.false_positives.values()) == 0


def test_free_text_names(results: tuple[list, list]) -> None:
    """docs/detection.md quotes these figures. The free-text set's names all
    have a cue, an honorific or a clause start before a verb; the cue-less set
    (written from notes before the prose pass existed) puts names after
    与/委托/据, before 的/本人/、; `evalset_prose.py` writes notes, transcripts,
    chats and complaints with names anywhere, and a held-out set written after
    the prose pass was tuned (measured once before its two fixes)."""
    assert _metrics(results, "free_text").recall("PERSON_NAME") >= 0.99
    for kind, least in (("cueless", 0.9), ("prose", 0.9), ("prose_holdout", 0.85)):
        metrics = _metrics(results, kind)
        assert metrics.expected["PERSON_NAME"] >= 300, kind
        assert metrics.recall("PERSON_NAME") >= least, (kind, metrics.recall("PERSON_NAME"))
        assert sum(metrics.false_positives.values()) <= 0.005 * metrics.samples, kind


def test_prose_without_names(results: tuple[list, list]) -> None:
    """Notes that name no one, many starting words with a surname's character
    (高兴, 马上, 钱款, 于是), shop and company names. Over all hard negatives the
    over-masking stays under 0.5 %; on these alone it is higher (docs/detection.md:
    typos such as 崔促 for 催促, literary words such as 孟夏)."""
    prose = _metrics(results, "prose_negative", "prose_holdout_negative")
    assert prose.samples >= 900
    assert sum(prose.false_positives.values()) <= 0.03 * prose.samples
    every = _metrics(results, "negative", "vocab_negative", "prose_negative",
                     "prose_holdout_negative")
    assert sum(every.false_positives.values()) <= 0.005 * every.samples


def test_pinyin_names_in_english_text(results: tuple[list, list]) -> None:
    """Names in pinyin in English notes (Zhang Wei, LIU Yang, Xiaoming Wang,
    Li Xiao-Ming), and English text with places, brands and title-case words
    that are pinyin too (Hong Kong, Hang Seng, Ping An, He Said)."""
    names = _metrics(results, "pinyin")
    assert names.expected["PERSON_NAME"] >= 300
    assert names.recall("PERSON_NAME") >= 0.95, names.recall("PERSON_NAME")
    negatives = _metrics(results, "pinyin_negative")
    assert negatives.samples >= 300 and sum(negatives.false_positives.values()) == 0
