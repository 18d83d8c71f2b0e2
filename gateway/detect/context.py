"""Context words around a match, exactly as presidio's LemmaContextAwareEnhancer
collects them, so the fast path scores like `AnalyzerEngine.analyze`."""

from __future__ import annotations

from bisect import bisect_right

from gateway.detect.tokens import is_keyword, tokenize

PREFIX_COUNT = 5
SUFFIX_COUNT = 0
SIMILARITY_FACTOR = 0.35
MIN_SCORE_WITH_CONTEXT = 0.4


class TextContext:
    """Tokens of one text, made on first use and kept for its other matches."""

    __slots__ = ("_ends", "_lemmas", "_text", "_tokens")

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens: list[str] | None = None
        self._ends: list[int] = []
        self._lemmas: list[str] = []

    def words_before(self, start: int) -> set[str]:
        if self._tokens is None:
            self._tokens, starts = tokenize(self._text)
            self._ends = [s + len(t) for s, t in zip(starts, self._tokens, strict=True)]
            self._lemmas = [t.lower() for t in self._tokens]
        tokens, lemmas = self._tokens, self._lemmas
        if not tokens:
            return {""}
        # presidio takes the first token that starts at the match or ends after
        # its start; tokens do not overlap, so that is the first end > start.
        index = bisect_right(self._ends, start)
        if index == len(tokens):
            raise ValueError("a match lies outside every token")
        words: list[str] = []
        _collect(lemmas, index, PREFIX_COUNT + 1, -1, words)
        _collect(lemmas, index, SUFFIX_COUNT + 1, 1, words)
        return set(words)


def _collect(lemmas: list[str], index: int, remaining: int, step: int, into: list[str]) -> None:
    i = index
    while 0 <= i < len(lemmas) and remaining > 0:
        if is_keyword(lemmas[i]):
            into.append(lemmas[i])
            remaining -= 1
        i += step


def supported(words: set[str] | tuple[str, ...], context: tuple[str, ...]) -> bool:
    """True if any of the recognizer's context words is inside any word."""
    return any(c in w for c in context for w in words)


def boost(score: float) -> float:
    return min(max(score + SIMILARITY_FACTOR, MIN_SCORE_WITH_CONTEXT), 1.0)
