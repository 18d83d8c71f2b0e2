"""An offline NLP engine for presidio: tokens and lemmas, no model, no download.

presidio's default engine loads a spaCy model that must be downloaded; the
machines this gateway runs on cannot fetch one, and a general-purpose model
adds nothing for checksummed identifiers. This engine produces only what the
context enhancer needs (tokens, their offsets and lowercased lemmas) with the
tokenizer in `tokens.py`, and no named entities: names and addresses come from
the pattern recognizers and field hints instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

from gateway.detect.tokens import STOPWORDS, is_punct, tokenize

LANGUAGE = "zh"


class OfflineNlpEngine(NlpEngine):
    engine_name = "pii-gateway-offline"
    is_available = True

    def __init__(self, languages: tuple[str, ...] = (LANGUAGE,)) -> None:
        self._languages = list(languages)

    def load(self) -> None:
        return None

    def is_loaded(self) -> bool:
        return True

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        tokens, starts = tokenize(text)
        # presidio types `tokens` as a spaCy Doc but only iterates it and takes
        # len() of each token, which a list of strings does too.
        return NlpArtifacts(entities=[], tokens=cast(Any, tokens), tokens_indices=starts,
                            lemmas=[t.lower() for t in tokens], nlp_engine=self,
                            language=language)

    def process_batch(self, texts: Iterable[Any], language: str, batch_size: int = 1,
                      n_process: int = 1, as_tuples: bool = False,
                      **kwargs: Any) -> Iterator[Any]:
        for item in texts:
            if as_tuples:
                text, context = item
                yield text, self.process_text(str(text), language), context
            else:
                yield item, self.process_text(str(item), language)

    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in STOPWORDS

    def is_punct(self, word: str, language: str) -> bool:
        return is_punct(word)

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return list(self._languages)
