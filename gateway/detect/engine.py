"""presidio's own AnalyzerEngine over the gateway's recognizers (the reference path).

The detector answers from the fast path (`scanner.py`); this engine gives the
same answers the slow, standard way. Tests compare the two on the whole
evaluation set, and `Detector.reference` exposes it for debugging.
"""

from __future__ import annotations

from collections.abc import Sequence

from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from gateway.detect.context import (
    MIN_SCORE_WITH_CONTEXT,
    PREFIX_COUNT,
    SIMILARITY_FACTOR,
    SUFFIX_COUNT,
)
from gateway.detect.nlp import LANGUAGE, OfflineNlpEngine
from gateway.detect.results import Span


def build_engine(recognizers: Sequence[PatternRecognizer], default_threshold: float,
                 ) -> AnalyzerEngine:
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in recognizers:
        registry.add_recognizer(recognizer)
    enhancer = LemmaContextAwareEnhancer(
        context_similarity_factor=SIMILARITY_FACTOR,
        min_score_with_context_similarity=MIN_SCORE_WITH_CONTEXT,
        context_prefix_count=PREFIX_COUNT,
        context_suffix_count=SUFFIX_COUNT,
    )
    return AnalyzerEngine(registry=registry, nlp_engine=OfflineNlpEngine(),
                          supported_languages=[LANGUAGE],
                          default_score_threshold=default_threshold,
                          context_aware_enhancer=enhancer)


def analyze(engine: AnalyzerEngine, text: str, context: Sequence[str]) -> list[Span]:
    results = engine.analyze(text=text, language=LANGUAGE, context=list(context) or None)
    return [(r.entity_type, r.start, r.end, r.score,
             (r.recognition_metadata or {}).get("recognizer_name", "")) for r in results]
