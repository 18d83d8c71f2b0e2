"""The tokenizer behind context words, shared by the NLP engine and the fast path.

Tokens are runs of letters (Latin or CJK), runs of digits, or single other
characters. A run of CJK text stays one token: presidio matches context words
as substrings of tokens, so 身份证号码 supports the context word 身份证.
"""

from __future__ import annotations

import regex

_TOKEN = regex.compile(r"[^\W\d_]+|\d+|\S")
STOPWORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "of", "to", "in", "on", "at", "for", "and", "or",
    "my", "your", "his", "her", "our", "their", "this", "that", "it", "be", "with", "as",
    "的", "了", "是", "为", "在", "和", "与", "及", "或",
})


def tokenize(text: str) -> tuple[list[str], list[int]]:
    """Tokens and their start offsets."""
    tokens: list[str] = []
    starts: list[int] = []
    for match in _TOKEN.finditer(text):
        tokens.append(match[0])
        starts.append(match.start())
    return tokens, starts


def is_punct(word: str) -> bool:
    return len(word) == 1 and not word.isalnum()


def is_keyword(lemma: str) -> bool:
    """A lemma that can carry context (presidio's NlpArtifacts.keywords rule)."""
    return not (lemma in STOPWORDS or is_punct(lemma) or lemma == "be" or ":" in lemma)
