"""The detector: normalize, scan, and report findings at original offsets."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import ModuleType

from presidio_analyzer import AnalyzerEngine, PatternRecognizer

from gateway.detect.engine import analyze, build_engine
from gateway.detect.hints import ADDRESS_HINT, PERSON_HINT, HintTable
from gateway.detect.native_scanner import NativeScanner, merge
from gateway.detect.normalize import Normalized, needs_folding, normalize
from gateway.detect.prose_names import ENTITY as PROSE_ENTITY
from gateway.detect.prose_names import SCORE as PROSE_SCORE
from gateway.detect.prose_names import prose_findings
from gateway.detect.recognizers import BUILTIN
from gateway.detect.recognizers.custom import CustomRecognizer, load_presidio_yaml
from gateway.detect.results import Finding, Span
from gateway.detect.scanner import Scanner
from gateway.detect.settings import DetectionSettings
from gateway.native import core as native_core

HINT_MARKERS = {"person_name": PERSON_HINT, "address": ADDRESS_HINT}
PROSE_SKIP = frozenset({PERSON_HINT, ADDRESS_HINT})
# presidio logs every recognizer it builds at INFO, on each policy load.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)


def _recognizers(settings: DetectionSettings) -> list[PatternRecognizer]:
    def thresholds(entity: str) -> dict[str, float] | None:
        value = settings.thresholds.get(entity)
        return None if value is None else {entity: value}

    recognizers: list[PatternRecognizer] = [
        BUILTIN[entity](thresholds(entity)) for entity in settings.enabled_builtin()]
    recognizers += [CustomRecognizer(spec, thresholds(spec.entity)) for spec in settings.custom]
    for path in settings.presidio_yaml:
        for recognizer in load_presidio_yaml(path):
            entity = recognizer.supported_entities[0]
            limit = thresholds(entity)
            if limit:
                recognizer.score_thresholds = limit
            recognizers.append(recognizer)
    return recognizers


class Detector:
    """Finds personal data in text. Build once (from settings), use from any task."""

    def __init__(self, settings: DetectionSettings | None = None, *, native: bool = True) -> None:
        """`native`: use the compiled core when this process has it."""
        self.settings = settings or DetectionSettings()
        self.recognizers = _recognizers(self.settings)
        self._scanner = Scanner(self.recognizers, self.settings.default_threshold)
        self._hints = HintTable({HINT_MARKERS[k]: v for k, v in self.settings.hints.items()})
        self._engine: AnalyzerEngine | None = None
        # names in prose without a cue (prose_names.py), where names are detected
        limit = self.settings.thresholds.get(PROSE_ENTITY, self.settings.default_threshold)
        self.prose = (self.settings.prose_names and limit <= PROSE_SCORE
                      and PROSE_ENTITY in self.settings.enabled_builtin())
        self._prose_hints: dict[tuple[str, ...], bool] = {}
        self.native: NativeScanner | None = None
        if native and native_core is not None:
            self.native = self._native_scanner(native_core)

    def _native_scanner(self, core: ModuleType) -> NativeScanner | None:
        custom = None
        if self.settings.custom or self.settings.presidio_yaml:
            custom = Detector(self.settings.without_builtin(), native=False)
        try:
            return NativeScanner(core, self._scanner, self.entities, self._hints.context,
                                 self.python_many, custom.python_many if custom else None,
                                 self.with_prose)
        except ValueError:
            return None

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.supported_entities[0] for r in self.recognizers))

    def context(self, hints: Sequence[str]) -> tuple[str, ...]:
        """The context words a text under these field names carries."""
        return self._hints.context(tuple(hints))

    def detect(self, text: str, hints: Sequence[str] = ()) -> list[Finding]:
        """Findings in `text`, a value under the field names `hints` (outermost
        first; may be empty), sorted by position."""
        return self.detect_many([(text, tuple(hints))])[0]

    def detect_many(self, items: Sequence[tuple[str, tuple[str, ...]]]) -> list[list[Finding]]:
        """`detect` for many texts at once (the leaves of one body): faster than
        one call per text, same results."""
        if self.native is not None:
            return self.native.detect_many(items)
        return self.python_many(items)

    def python_many(self, items: Sequence[tuple[str, tuple[str, ...]]]) -> list[list[Finding]]:
        """`detect_many` on the pure-Python path (the native core's twin)."""
        texts = [text for text, _ in items]
        folded = {index: normalize(texts[index]) for index in needs_folding(texts)}
        for index, normal in folded.items():
            texts[index] = normal.text
        contexts = [self._hints.context(hints) for _, hints in items]
        scanned = self._scanner.scan(texts, contexts)
        return [self.with_prose(text, hints, _findings(folded.get(index), spans) if spans else [])
                for index, ((text, hints), spans) in enumerate(zip(items, scanned, strict=True))]

    def prose_for(self, hints: tuple[str, ...]) -> bool:
        """Whether the prose pass reads texts under these field names: not
        under a name or address field (their values are found whole)."""
        if not self.prose:
            return False
        verdict = self._prose_hints.get(hints)
        if verdict is None:
            verdict = not PROSE_SKIP.intersection(self._hints.context(hints))
            if len(self._prose_hints) < 65536:
                self._prose_hints[hints] = verdict
        return verdict

    def with_prose(self, text: str, hints: tuple[str, ...],
                   findings: list[Finding]) -> list[Finding]:
        """`findings` in `text` with the names the prose pass finds merged in."""
        if not self.prose_for(hints):
            return findings
        found = prose_findings(text)
        return merge(findings, found) if found else findings

    def reference(self, text: str, hints: Sequence[str] = ()) -> list[Finding]:
        """`detect` through presidio's AnalyzerEngine.analyze (slow; for tests
        and debugging)."""
        if self._engine is None:
            self._engine = build_engine(self.recognizers, self.settings.default_threshold)
        normalized = normalize(text)
        spans = analyze(self._engine, normalized.text, self._hints.context(tuple(hints)))
        return self.with_prose(text, tuple(hints), _findings(normalized, spans))


def _findings(normalized: Normalized | None, spans: list[Span]) -> list[Finding]:
    findings = []
    for entity, start, end, score, name in spans:
        begin, finish = (start, end) if normalized is None else normalized.original_span(start, end)
        findings.append(Finding(entity, begin, finish, score, name))
    findings.sort(key=lambda f: (f.start, -f.end, f.entity_type))
    return findings
