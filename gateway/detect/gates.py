"""Cheap passes over a whole batch of texts that say which patterns to try where.

All texts of a body are joined with newlines and scanned once per distinct
gate: one pass finds digit runs (and their lengths), one pass per trigger
regex, and one pass finds the context words of recognizers whose patterns
only count with context. A pattern is then tried on a text only if its gate
fired there. Gates are necessary conditions, so skipping never loses a match:
the patterns themselves still run on each text alone, as presidio runs them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

import regex

from gateway.detect.recognizers.base import SEP, SEP_CHARS

_STRIP = str.maketrans("", "", SEP_CHARS)


class BatchGates:
    """Gate results for one batch: which texts each gate fired in."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.joined = "\n".join(texts)
        starts = [0]
        for text in texts[:-1]:
            starts.append(starts[-1] + len(text) + 1)
        self._starts = starts
        self._lower: str | None = None
        # Long batches let the regex engine release the GIL (see scanner.py).
        self._large = len(self.joined) > 64 * 1024

    def _text_at(self, position: int) -> int:
        return bisect_right(self._starts, position) - 1

    def digit_runs(self, pattern: regex.Pattern[str]) -> dict[int, int]:
        """Text index -> the most digits in one run there (runs shorter than the
        pattern's minimum are not reported)."""
        longest: dict[int, int] = {}
        for match in pattern.finditer(self.joined, concurrent=self._large):
            index = self._text_at(match.start())
            count = len(match[0].translate(_STRIP))
            if count > longest.get(index, 0):
                longest[index] = count
        return longest

    def fired(self, pattern: regex.Pattern[str]) -> set[int]:
        """Indices of the texts in which `pattern` matches at least once."""
        hits: set[int] = set()
        joined, starts = self.joined, self._starts
        position = 0
        search = pattern.search
        large = self._large
        while True:
            match = search(joined, position, concurrent=large)
            if match is None:
                return hits
            index = bisect_right(starts, match.start()) - 1
            hits.add(index)
            if index + 1 >= len(starts):
                return hits
            position = starts[index + 1]

    def words(self, pattern: regex.Pattern[str]) -> Iterable[tuple[int, str]]:
        """(text index, word) for every occurrence, overlapping ones included,
        of the words in `pattern`, in the lower-cased texts."""
        if self._lower is None:
            self._lower = self.joined.lower()
        if len(self._lower) != len(self.joined):  # a character lower-cased to two
            for index, text in enumerate(self.texts):
                for match in pattern.finditer(text.lower(), overlapped=True,
                                              concurrent=self._large):
                    yield index, match[0]
            return
        for match in pattern.finditer(self._lower, overlapped=True, concurrent=self._large):
            yield self._text_at(match.start()), match[0]


def digit_run_pattern(min_digits: int) -> regex.Pattern[str]:
    return regex.compile(f"[0-9](?:{SEP}?[0-9]){{{max(min_digits - 1, 0)},}}")


def trigger_pattern(trigger: str) -> regex.Pattern[str]:
    return regex.compile(trigger, regex.IGNORECASE | regex.MULTILINE)


def words_pattern(words: Iterable[str]) -> regex.Pattern[str]:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return regex.compile("|".join(regex.escape(w) for w in ordered))
