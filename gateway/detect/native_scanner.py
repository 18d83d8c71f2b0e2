"""The native scanner behind `Detector.detect_many`.

Built from a Detector's reference scanner (same recognizers, patterns,
scores, thresholds and context words), it answers for the built-in
recognizers in C. A text the core does not fully understand (characters
outside its known set, or runs of Chinese numerals the Python path folds)
comes back as None and goes through the Python path instead; recognizers from
the policy (`detection.recognizers`, `presidio_yaml`) always run in Python and
their findings are merged the way presidio merges recognizers' results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from gateway.detect.pinyin_names import SURNAMES as PINYIN_SURNAMES
from gateway.detect.prose_names import CLAUSE_BREAKS, ORGANISATION_ENDS
from gateway.detect.recognizers import BUILTIN, address, license_plate, person_name, surnames
from gateway.detect.results import Finding, Span, remove_duplicates
from gateway.detect.scanner import Scanner
from gateway.detect.tokens import STOPWORDS

ReferenceMany = Callable[[Sequence[tuple[str, tuple[str, ...]]]], list[list[Finding]]]


def engine_config(core: ModuleType, scanner: Scanner,
                  entities: Sequence[str]) -> tuple[dict[str, Any], list[int]] | None:
    """The core's configuration for the built-in recognizers of `scanner`, and
    for each of them its index among the scanner's recognizers; None if a
    built-in pattern has no native twin (then the Python path does it all)."""
    builtin = set(BUILTIN.values())
    ranks = {entity: i for i, entity in enumerate(sorted(entities))}
    recognizers: list[dict[str, Any]] = []
    positions: list[int] = []
    for index, plan in enumerate(scanner.plans):
        if type(plan.recognizer) not in builtin:
            continue
        patterns = []
        for p in scanner.patterns:
            if p.recognizer != index:
                continue
            kind = core.KINDS.get((plan.entity, p.name))
            if kind is None:
                return None
            patterns.append((kind, p.score, p.needs_context))
        recognizers.append({"name": plan.name, "entity": ranks[plan.entity],
                            "threshold": plan.threshold, "context": list(plan.context),
                            "patterns": patterns})
        positions.append(index)
    tables = {
        "single": surnames.SINGLE, "compound": list(surnames.COMPOUND),
        "not_names": sorted(person_name.NOT_NAMES),
        "common_starts": sorted(person_name.COMMON_STARTS), "places": list(address.PLACE_WORDS),
        "place_blocked": list(address.PLACE_BLOCKED),
        "street_ends": list(address.STREET_ENDS), "markers": list(address.MARKERS),
        "english": list(address.ENGLISH_MARKERS), "text_single": person_name.TEXT_SINGLE,
        "name_cues": list(person_name.CUES), "name_links": list(person_name.CUE_LINKS),
        "followers": list(person_name.FOLLOWERS), "honorifics": list(person_name.HONORIFICS),
        "display_titles": list(person_name.DISPLAY_TITLES),
        "display_left": list(person_name.DISPLAY_LEFT),
        "display_blocked": list(person_name.DISPLAY_BLOCKED),
        "verb_left": list(person_name.VERB_LEFT), "verbs": list(person_name.VERBS),
        "address_cues": list(address.CUES), "address_links": list(address.CUE_LINKS),
        "cue_ends": list(address.CUE_ENDS), "plates": license_plate.PROVINCES,
        "pinyin_surnames": sorted(PINYIN_SURNAMES),
        "organisation_ends": list(ORGANISATION_ENDS), "clause_breaks": sorted(CLAUSE_BREAKS),
    }
    config = {"recognizers": recognizers, "entities": sorted(entities), "tables": tables,
              "stopwords": sorted(STOPWORDS)}
    return config, positions


class NativeScanner:
    """`detect_many` through the core, the Python path for what it hands back."""

    def __init__(self, core: ModuleType, scanner: Scanner, entities: Sequence[str],
                 context: Callable[[tuple[str, ...]], tuple[str, ...]],
                 python_many: ReferenceMany, custom_many: ReferenceMany | None,
                 with_prose: Callable[[str, tuple[str, ...], list[Finding]], list[Finding]]
                 ) -> None:
        built = engine_config(core, scanner, entities)
        if built is None:
            raise ValueError("a built-in pattern has no native twin")
        config, positions = built
        self.engine = core.Engine(config)
        self._bit = {scanner_index: 1 << i for i, scanner_index in enumerate(positions)}
        self._scanner = scanner
        self._context = context
        self._python_many = python_many
        self._custom_many = custom_many
        self._with_prose = with_prose
        self._bits: dict[tuple[str, ...], int] = {}

    def bits(self, hints: tuple[str, ...]) -> int:
        """The built-in recognizers whose context the field names support."""
        bits = self._bits.get(hints)
        if bits is None:
            supported = self._scanner.hint_plan(self._context(hints)).supported
            bits = sum(self._bit.get(index, 0) for index in supported)
            if len(self._bits) < 65536:
                self._bits[hints] = bits
        return bits

    def detect_many(self, items: Sequence[tuple[str, tuple[str, ...]]]) -> list[list[Finding]]:
        found = self.engine.detect_items(items, self._bits, self.bits, Finding)
        out: list[list[Finding]] = [spans or [] for spans in found]
        deferred = [i for i, spans in enumerate(found) if spans is None]
        if deferred:  # the Python path, recognizers from the policy included
            for i, findings in zip(deferred, self._python_many([items[i] for i in deferred]),
                                   strict=True):
                out[i] = findings
        if self._custom_many is not None:
            taken = [i for i, spans in enumerate(found) if spans is not None]
            for i, custom in zip(taken, self._custom_many([items[i] for i in taken]),
                                 strict=True):
                out[i] = merge(out[i], custom)
        for i, spans in enumerate(found):
            if spans is not None:  # the Python path did the prose pass already
                out[i] = self._with_prose(items[i][0], items[i][1], out[i])
        return out


def merge(builtin: list[Finding], custom: list[Finding]) -> list[Finding]:
    """Both recognizer groups' findings as presidio's final step would leave
    them: duplicates across all removed, in the reported order."""
    if not custom:
        return builtin
    spans: list[Span] = [(f.entity_type, f.start, f.end, f.score, f.recognizer)
                         for f in (*builtin, *custom)]
    kept = remove_duplicates(spans) if len(spans) > 1 else spans
    findings = [Finding(*span) for span in kept]
    findings.sort(key=lambda f: (f.start, -f.end, f.entity_type))
    return findings
