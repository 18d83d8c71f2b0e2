"""The fast path: presidio's analysis of many texts at once, with identical results.

For each text, `AnalyzerEngine.analyze` runs every pattern of every recognizer,
validates each match, drops duplicates per recognizer, raises scores with
context, drops scores under the threshold and drops duplicates again. This
module does the same steps with the same compiled patterns (the `regex`
module and flags presidio uses) and the same validators, but
- skips a pattern on a text when its gate did not fire there (`gates.py`),
- skips a pattern that can only produce results under the threshold, unless
  a context word of its recognizer occurs in the text or the field hints,
- tokenizes a text for context only when it has a match,
and it has none of presidio's per-call costs (NLP pass, explanations, deep
copies, logging). The differential test runs both over the evaluation set and
requires identical findings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from gateway.detect.context import TextContext, boost, supported
from gateway.detect.gates import BatchGates, digit_run_pattern, trigger_pattern, words_pattern
from gateway.detect.recognizers.base import ALWAYS, Gate, ValidatingRecognizer
from gateway.detect.results import Span, remove_duplicates

REGEX_TIMEOUT_SECONDS = 2.0
CONCURRENT_CHARS = 64 * 1024


class DetectionTimeout(Exception):
    """A pattern took longer than the limit on one text."""


@dataclass(frozen=True, slots=True)
class RecognizerPlan:
    recognizer: PatternRecognizer
    entity: str
    name: str
    context: tuple[str, ...]
    threshold: float


@dataclass(frozen=True, slots=True, eq=False)
class PatternPlan:
    """One pattern, ready to run; compared and hashed by identity."""

    recognizer: int
    plan: RecognizerPlan
    name: str
    regex: regex.Pattern[str]
    score: float
    gate: Gate
    needs_context: bool
    join_safe: bool


@dataclass(frozen=True, slots=True)
class HintPlan:
    """What field hints alone decide: which recognizers' context they support,
    and the context-only patterns that therefore must run."""

    supported: frozenset[int]
    patterns: tuple[PatternPlan, ...]


def _threshold(recognizer: PatternRecognizer, entity: str, default: float) -> float:
    thresholds = recognizer.score_thresholds
    return float(thresholds.get(entity, thresholds.get("default", default)))


def _may_validate_true(recognizer: PatternRecognizer) -> bool:
    """Whether validate_result can return True (which sets the score to 1.0)."""
    return not (isinstance(recognizer, ValidatingRecognizer)
                or type(recognizer).validate_result is PatternRecognizer.validate_result)


class Scanner:
    def __init__(self, recognizers: Sequence[PatternRecognizer], default_threshold: float) -> None:
        self.plans: list[RecognizerPlan] = []
        patterns: list[PatternPlan] = []
        for index, rec in enumerate(recognizers):
            entity = rec.supported_entities[0]
            context = tuple(word.lower() for word in (rec.context or ()))
            threshold = _threshold(rec, entity, default_threshold)
            name: str = rec.name  # type: ignore[has-type]
            plan = RecognizerPlan(rec, entity, name, context, threshold)
            self.plans.append(plan)
            gates = getattr(rec, "gates", {})
            flags = rec.global_regex_flags or 0
            rec_patterns: list[Pattern] = rec.patterns  # type: ignore[has-type]
            for pattern in rec_patterns:
                best = 1.0 if _may_validate_true(rec) else pattern.score
                if context:
                    best = max(best, boost(pattern.score))
                if best < threshold:
                    continue  # can never be reported
                needs_context = pattern.score < threshold and not _may_validate_true(rec)
                compiled = regex.compile(pattern.regex, flags=flags)
                patterns.append(PatternPlan(index, plan, pattern.name, compiled, pattern.score,
                                            gates.get(pattern.name, ALWAYS), needs_context,
                                            getattr(rec, "JOIN_SAFE", False)))
        self.patterns: tuple[PatternPlan, ...] = tuple(patterns)
        self._always = [p for p in patterns if p.gate == ALWAYS and not p.needs_context]
        digit_gated = sorted((p for p in patterns if p.gate.min_digits),
                             key=lambda p: p.gate.min_digits)
        self._digits_plain = [p for p in digit_gated if not p.needs_context]
        self._digits_plain_mins = [p.gate.min_digits for p in self._digits_plain]
        self._digits_ctx = [p for p in digit_gated if p.needs_context]
        self._digits_ctx_mins = [p.gate.min_digits for p in self._digits_ctx]
        self._digit_gate = (digit_run_pattern(digit_gated[0].gate.min_digits)
                            if digit_gated else None)
        self._by_trigger: dict[str, list[PatternPlan]] = {}
        for p in patterns:
            if p.gate.trigger and not p.needs_context:
                self._by_trigger.setdefault(p.gate.trigger, []).append(p)
        self._triggers = {t: trigger_pattern(t) for t in self._by_trigger}
        # Context-only patterns without a digit gate are gated by context alone.
        self._by_context: dict[int, tuple[PatternPlan, ...]] = {}
        for p in patterns:
            if p.needs_context and not p.gate.min_digits:
                self._by_context[p.recognizer] = (*self._by_context.get(p.recognizer, ()), p)
        words = {w for p in patterns if p.needs_context for w in self.plans[p.recognizer].context}
        self._words = words_pattern(words) if words else None
        self._word_owners = {
            word: frozenset(i for i, plan in enumerate(self.plans)
                            if any(c in word for c in plan.context))
            for word in words
        }
        self._hint_plans: dict[tuple[str, ...], HintPlan] = {}

    def hint_plan(self, hints: tuple[str, ...]) -> HintPlan:
        plan = self._hint_plans.get(hints)
        if plan is None:
            recs = frozenset(i for i, p in enumerate(self.plans)
                             if p.context and supported(hints, p.context))
            patterns = tuple(p for r in sorted(recs) for p in self._by_context.get(r, ()))
            plan = HintPlan(recs, patterns)
            if len(self._hint_plans) < 65536:
                self._hint_plans[hints] = plan
        return plan

    def scan(self, texts: Sequence[str], hints: Sequence[tuple[str, ...]]) -> list[list[Span]]:
        gates = BatchGates(texts)
        runs = gates.digit_runs(self._digit_gate) if self._digit_gate is not None else {}
        chosen: dict[int, list[PatternPlan]] = {}
        for trigger, compiled in self._triggers.items():
            extra = self._by_trigger[trigger]
            for index in gates.fired(compiled):
                chosen.setdefault(index, []).extend(extra)
        in_text: dict[int, set[int]] = {}
        if self._words is not None:
            owners = self._word_owners
            for index, word in gates.words(self._words):
                in_text.setdefault(index, set()).update(owners[word])
        hint_plan = self.hint_plan
        plans = [hint_plan(h) for h in hints]
        candidates = set(runs).union(chosen, in_text)
        candidates.update(i for i, plan in enumerate(plans) if plan.patterns)
        if self._always:
            candidates = set(range(len(texts)))
        plain, plain_mins = self._digits_plain, self._digits_plain_mins
        ctx, ctx_mins = self._digits_ctx, self._digits_ctx_mins
        work: dict[PatternPlan, list[int]] = {}
        for index in candidates:
            plan = plans[index]
            selected = chosen.get(index, [])
            longest = runs.get(index, 0)
            if longest:
                selected = selected + plain[:bisect_right(plain_mins, longest)]
            helped = plan.supported
            if index in in_text:
                helped = helped | in_text[index]
                for recognizer in in_text[index] - plan.supported:
                    selected = selected + list(self._by_context.get(recognizer, ()))
            if helped:
                if longest:
                    selected = selected + [p for p in ctx[:bisect_right(ctx_mins, longest)]
                                           if p.recognizer in helped]
                selected = selected + list(plan.patterns)
            for p in selected + self._always:
                work.setdefault(p, []).append(index)
        raw: dict[int, dict[int, list[Span]]] = {}
        for p, indices in work.items():
            self._match(p, texts, sorted(set(indices)), raw)
        results: list[list[Span]] = [[] for _ in texts]
        for index, by_recognizer in raw.items():
            results[index] = self._score(texts[index], by_recognizer, plans[index].supported)
        return results

    def _match(self, p: PatternPlan, texts: Sequence[str], indices: list[int],
               into: dict[int, dict[int, list[Span]]]) -> None:
        """Validated matches of one pattern in the texts at `indices`. A
        join-safe pattern runs once over those texts joined by newlines (its
        lookarounds treat a newline as a text boundary); if a match spans a
        boundary anyway, it runs on each text alone instead."""
        if p.join_safe and len(indices) > 1:
            chunk = [texts[i] for i in indices]
            joined = "\n".join(chunk)
            found: list[tuple[int, int, int, str]] = []
            offset, bounds = 0, []
            for text in chunk:
                bounds.append(offset)
                offset += len(text) + 1
            for match in self._finditer(p, joined):
                start, end = match.span()
                k = bisect_right(bounds, start) - 1
                local = start - bounds[k]
                if end - bounds[k] > len(chunk[k]) or start == end:
                    break  # crosses a boundary: fall back below
                found.append((indices[k], local, end - bounds[k], match[0]))
            else:
                for index, start, end, current in found:
                    self._keep(p, index, start, end, current, into)
                return
        for index in indices:
            for match in self._finditer(p, texts[index]):
                start, end = match.span()
                if start != end:
                    self._keep(p, index, start, end, match[0], into)

    @staticmethod
    def _finditer(p: PatternPlan, text: str) -> list[regex.Match[str]]:
        try:
            # `concurrent` lets the regex engine release the GIL on long texts,
            # so the event loop keeps running while a worker thread scans.
            return list(p.regex.finditer(text, timeout=REGEX_TIMEOUT_SECONDS,
                                         concurrent=len(text) > CONCURRENT_CHARS))
        except TimeoutError:
            raise DetectionTimeout(p.plan.name) from None

    @staticmethod
    def _keep(p: PatternPlan, index: int, start: int, end: int, current: str,
              into: dict[int, dict[int, list[Span]]]) -> None:
        """presidio's per-match steps: validate (True: 1.0, False: drop),
        invalidate (True: drop)."""
        rec = p.plan.recognizer
        score = p.score
        valid = rec.validate_result(current)
        if valid is not None:
            score = 1.0 if valid else 0.0
        if rec.invalidate_result(current):
            score = 0.0
        if score > 0:
            into.setdefault(index, {}).setdefault(p.recognizer, []).append(
                (p.plan.entity, start, end, score, p.plan.name))

    def _score(self, text: str, by_recognizer: dict[int, list[Span]],
               from_hints: frozenset[int]) -> list[Span]:
        """presidio's per-text steps: duplicates per recognizer, context,
        thresholds, duplicates across recognizers."""
        context: TextContext | None = None
        found: list[Span] = []
        for recognizer, spans in by_recognizer.items():
            plan = self.plans[recognizer]
            if len(spans) > 1:
                spans = remove_duplicates(spans)
            if plan.context:
                if recognizer in from_hints:
                    spans = [(e, s, t, boost(sc), n) for e, s, t, sc, n in spans]
                else:
                    if context is None:
                        context = TextContext(text)
                    spans = [(e, s, t, boost(sc), n)
                             if supported(context.words_before(s), plan.context)
                             else (e, s, t, sc, n) for e, s, t, sc, n in spans]
            found.extend(span for span in spans if span[3] >= plan.threshold)
        return remove_duplicates(found) if len(found) > 1 else found
