"""Context words around a match, exactly as presidio's LemmaContextAwareEnhancer
collects them, so the fast path scores like `AnalyzerEngine.analyze`."""

from __future__ import annotations

from gateway.detect.tokens import is_keyword, tokenize

PREFIX_COUNT = 5
SUFFIX_COUNT = 0
SIMILARITY_FACTOR = 0.35
MIN_SCORE_WITH_CONTEXT = 0.4


class TextContext:
    """Tokens of one text, made on first use and kept for its other matches."""

    __slots__ = ("_lemmas", "_starts", "_text", "_tokens")

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens: list[str] | None = None
        self._starts: list[int] = []
        self._lemmas: list[str] = []

    def words_before(self, start: int) -> set[str]:
        if self._tokens is None:
            self._tokens, self._starts = tokenize(self._text)
            self._lemmas = [t.lower() for t in self._tokens]
        tokens, starts, lemmas = self._tokens, self._starts, self._lemmas
        if not tokens:
            return {""}
        index = next((i for i, token in enumerate(tokens)
                      if starts[i] == start or start < starts[i] + len(token)), None)
        if index is None:
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
