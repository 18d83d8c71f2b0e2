"""What every built-in recognizer is: a presidio PatternRecognizer that validates.

A recognizer lists its patterns (presidio `Pattern`s with a base score), the
context words that raise that score, and a `check` that every match must pass
(a checksum, a calendar date, an allocated number range). A failed check drops
the match (presidio's `validate_result` returning False); a passed check keeps
the pattern's base score, so a number that merely passes a checksum, with no
context, scores lower than the same number under 身份证号 or `idNo`.

Each pattern also declares a `Gate`: a condition that holds whenever the
pattern can match, which the fast path uses to skip text cheaply. Gates never
decide a result; the pattern and `check` do, on the fast path and in presidio
alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

from gateway.detect.nlp import LANGUAGE

# One optional separator between digits: spaces, hyphens, dashes, underscore.
SEP = r"[ _\-\u2010-\u2015\u2212]"
SEP_CHARS = " _-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
# Numbers end where the digits end: letters may touch them (`m13912345678`,
# `11010519491231002Xan`, `...002XA1`), a digit may not. The rest of the
# letters-and-digits token around a number may hold digits only when it is
# short (at most three characters each side) and not one group of a
# hyphenated token: a longer mixed token is a hex digest, a base36 id or a
# UUID, and a number inside it a coincidence. Nor may a number be one
# hyphenated group of a longer token (UUIDs).
NUMBER_BEFORE = (r"(?<![0-9])(?<![0-9A-Za-z]-)(?:(?<![0-9][A-Za-z]*)"
                 r"|(?<![0-9A-Za-z]{4})(?<![0-9A-Za-z]-[0-9A-Za-z]*))")
NUMBER_AFTER = (r"(?![0-9])(?!-[0-9A-Za-z])(?:(?![A-Za-z]*[0-9])"
                r"|(?![0-9A-Za-z]{4})(?![0-9A-Za-z]*-[0-9A-Za-z]))")
_STRIP = str.maketrans("", "", SEP_CHARS)


def compact(text: str) -> str:
    """The match without separators, upper-cased."""
    return text.translate(_STRIP).upper()


def digits(count: int) -> str:
    """`count` digits, each but the first optionally preceded by a separator."""
    return f"[0-9](?:{SEP}?[0-9]){{{count - 1}}}"


@dataclass(frozen=True, slots=True)
class Gate:
    """A necessary condition for a pattern to match somewhere in a text:
    a run of at least `min_digits` digits (single separators allowed inside),
    or a match of `trigger` (a `regex` pattern, case-insensitive, multi-line).
    A gate with neither means: always try the pattern."""

    min_digits: int = 0
    trigger: str | None = None


ALWAYS = Gate()


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    regex: str
    score: float
    gate: Gate


class ValidatingRecognizer(PatternRecognizer):
    ENTITY: ClassVar[str]
    SPECS: ClassVar[tuple[Spec, ...]]
    CONTEXT: ClassVar[tuple[str, ...]]
    # The patterns never match a newline, and their lookarounds see a newline
    # as they see the edge of the text, so the fast path may run them over
    # many texts joined by newlines. User patterns are not assumed to be.
    JOIN_SAFE: ClassVar[bool] = True

    def __init__(self, thresholds: Mapping[str, float] | None = None, *,
                 entity: str | None = None, specs: tuple[Spec, ...] | None = None,
                 context: tuple[str, ...] | None = None, name: str | None = None) -> None:
        specs = self.SPECS if specs is None else specs
        super().__init__(
            supported_entity=entity or self.ENTITY,
            name=name or type(self).__name__,
            supported_language=LANGUAGE,
            patterns=[Pattern(s.name, s.regex, s.score) for s in specs],
            context=list(self.CONTEXT if context is None else context),
        )
        if thresholds:
            self.score_thresholds = dict(thresholds)
        self.gates: dict[str, Gate] = {s.name: s.gate for s in specs}

    def check(self, text: str) -> bool:
        raise NotImplementedError

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if self.check(pattern_text) else False
