"""Gates: cheap passes over a batch that never miss a text a pattern matches."""

from __future__ import annotations

from gateway.detect.gates import BatchGates, digit_run_pattern, trigger_pattern, words_pattern


def test_digit_runs_count_digits_across_single_separators() -> None:
    gates = BatchGates(["no digits", "138 0013 8000", "12-34", "a 1234567 b 12345678901"])
    assert gates.digit_runs(digit_run_pattern(7)) == {1: 11, 3: 11}


def test_fired_reports_each_text_once() -> None:
    gates = BatchGates(["a@b", "x", "@@@", "", "c@d"])
    assert gates.fired(trigger_pattern("@")) == {0, 2, 4}


def test_trigger_anchors_see_each_text_start() -> None:
    gates = BatchGates(["  王五", "李四", "x 张三"])
    assert gates.fired(trigger_pattern("^[ \\t]*[王李张]")) == {0, 1}


def test_words_include_overlapping_occurrences() -> None:
    gates = BatchGates(["银行卡号", "ID Card", "nothing"])
    found = set(gates.words(words_pattern(["银行卡", "卡号", "card"])))
    assert found == {(0, "银行卡"), (0, "卡号"), (1, "card")}


def test_words_survive_characters_that_lowercase_longer() -> None:
    gates = BatchGates(["İstanbul card", "card"])
    assert set(gates.words(words_pattern(["card"]))) == {(0, "card"), (1, "card")}
