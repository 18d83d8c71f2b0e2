"""presidio's duplicate rule, on tuples."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult

from gateway.detect.results import Span, remove_duplicates


def _presidio(spans: list[Span]) -> set[tuple[str, int, int, float]]:
    results = [RecognizerResult(e, s, t, sc) for e, s, t, sc, _ in spans]
    return {(r.entity_type, r.start, r.end, r.score) for r in
            EntityRecognizer.remove_duplicates(results)}


def test_same_rule_as_presidio() -> None:
    cases: list[list[Span]] = [
        [("A", 0, 10, 0.5, "r"), ("A", 2, 5, 0.5, "r"), ("A", 2, 5, 0.9, "r")],
        [("A", 0, 10, 0.3, "r"), ("A", 0, 10, 0.3, "q"), ("B", 2, 5, 0.1, "r")],
        [("A", 0, 4, 0.5, "r"), ("A", 3, 8, 0.5, "r"), ("A", 4, 6, 0.4, "r"),
         ("A", 9, 9, 0.0, "r")],
    ]
    for spans in cases:
        mine = {(e, s, t, sc) for e, s, t, sc, _ in remove_duplicates(spans)}
        assert mine == _presidio(spans)


def test_contained_lower_scores_go_other_types_stay() -> None:
    kept = remove_duplicates([("A", 0, 10, 0.5, "r"), ("A", 2, 5, 0.4, "r"), ("B", 2, 5, 0.4, "r")])
    assert sorted((e, s, t) for e, s, t, _, _ in kept) == [("A", 0, 10), ("B", 2, 5)]
