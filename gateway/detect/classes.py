"""Data classes by field meaning: which JR/T 0171 class a field's value is in.

The catalog ships with the package (`data_classes.yaml`, documented there)
and a policy extends it (`data_classes:`). It is compiled once per policy
into a `Catalog`; `classify(path)` reads the field names of a leaf's path and
is cached per path.

The head of a compound name is its last word (`contactPhone` is a phone,
`phoneContact` a contact; 紧急联系人电话 is a phone): of the classes that
match, the one matched furthest to the right wins, ties by catalog order.
Words written together in lower case (`customername`, `homeaddr`) are split
into the catalog's words when they split completely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from gateway.cache import BoundedCache
from gateway.detect.fieldnames import field_words, joined

LEVELS = ("C3", "C2", "C1")
CATEGORIES = ("authentication", "identity", "contact", "location", "device", "financial",
              "account")
GENERALIZERS = ("year", "region", "band", "coarse", "prefix", "hash", "keep", "remove", "mask")
# Field names that say nothing alone: the key above them counts too.
GENERIC = frozenset({"name", "no", "number", "num", "code", "value", "id", "text", "info",
                     "detail", "details", "type", "val", "str", "display", "full"})
# Words that make a field about the data, not the data (`emailVerified`, `mobileCount`).
ABOUT = frozenset({"verified", "flag", "enabled", "count", "format", "length", "masked",
                   "exists", "required", "changed", "is", "has"})
Path = tuple[str | int, ...]
NO_MATCH = (-1, 0, 0)


@dataclass(frozen=True, slots=True)
class DataClass:
    name: str
    level: str
    category: str
    generalize: str
    words: tuple[frozenset[str], ...] = ()
    zh: tuple[str, ...] = ()
    keys: frozenset[str] = frozenset()
    vetoes: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """`C2 identity/birth_date`, as `policy explain` shows it."""
        return f"{self.level} {self.category}/{self.name}"

    def selected_by(self, selector: str) -> bool:
        """A rule's `classes:` entry: a class name, a level (`C2`) or a
        level and category (`C2.identity`)."""
        return selector in (self.name, self.level, f"{self.level}.{self.category}")

    def position(self, name: str, words: tuple[str, ...]) -> tuple[int, int, int]:
        """How far right in the name this class matches, then how many words
        the match has, then how far right it starts (`ipAddress` is an IP
        address, not an address; `companyContactName` a contact's name, not
        the company's); a whole-name key beats everything; (-1, 0, 0) for no
        match. A veto word counts when it
        comes after the last of the class's own words that say more than
        `name` (`bankName` and `customerId` are vetoed, `bankCardHolderName`
        and `companyContactName` are names)."""
        if self.vetoes.intersection(words):
            strong = max((i for i, w in enumerate(words)
                          if w not in GENERIC and any(w in ws for ws in self.words)), default=-1)
            if any(w in self.vetoes for w in words[strong + 1:]):
                return NO_MATCH
        if joined(name) in self.keys:
            return (1 << 20, 0, 0)
        best = max(((name.rfind(z) + len(z), 1, name.rfind(z)) for z in self.zh if z in name),
                   default=NO_MATCH)
        where = {w: i + 1 for i, w in enumerate(words)}  # the last place of each word
        for key in self.keys.intersection(where):  # a pinyin abbreviation inside a compound
            best = max(best, (where[key], 1, where[key]))
        for ws in self.words:
            if all(w in where for w in ws):
                places = [where[w] for w in ws]
                best = max(best, (max(places), len(ws), min(places)))
        return best


def parse_class(name: str, spec: Mapping[str, Any]) -> DataClass:
    """One catalog entry; ValueError names the problem (never a value)."""
    unknown = sorted(set(spec) - {"level", "category", "generalize", "words", "zh", "keys",
                                  "not", "description"})
    if unknown:
        raise ValueError(f"data class '{name}': unknown keys {unknown}")
    level, category = spec.get("level"), spec.get("category")
    generalize = spec.get("generalize", "mask")
    if level not in LEVELS:
        raise ValueError(f"data class '{name}': level must be one of {list(LEVELS)}")
    if category not in CATEGORIES:
        raise ValueError(f"data class '{name}': category must be one of {list(CATEGORIES)}")
    if generalize not in GENERALIZERS:
        raise ValueError(f"data class '{name}': generalize must be one of {list(GENERALIZERS)}")
    words = tuple(frozenset(w.lower() for w in _strings(name, "words", ws))
                  for ws in spec.get("words", ()))
    return DataClass(name, level, category, generalize, words,
                     tuple(_strings(name, "zh", spec.get("zh", ()))),
                     frozenset(joined(k) for k in _strings(name, "keys", spec.get("keys", ()))),
                     frozenset(w.lower() for w in _strings(name, "not", spec.get("not", ()))))


def _strings(name: str, key: str, values: Any) -> list[str]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"data class '{name}': {key} must be a list of texts")
    return list(values)


def split_compound(word: str, vocabulary: frozenset[str]) -> tuple[str, ...] | None:
    """`customername` -> (customer, name): the split into known words of two or
    more letters with the fewest pieces, or None when there is none."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [()] + [None] * n
    for end in range(2, n + 1):
        for start in range(0, end - 1):
            head = best[start]
            piece = word[start:end]
            if head is not None and piece in vocabulary:
                candidate = (*head, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[n]


def vocabulary_of(classes: Iterable[DataClass], extra: Iterable[str] = ()) -> frozenset[str]:
    words = {w for c in classes for ws in c.words for w in ws} | set(extra)
    words |= {k for c in classes for k in c.keys if k.isascii()}  # jkr + xm, jjlxr + dh
    words |= {w for c in classes for w in c.vetoes} | GENERIC
    return frozenset(w for w in words if len(w) >= 2 and w.isascii())


@dataclass(frozen=True, slots=True)
class Catalog:
    classes: tuple[DataClass, ...]
    fields: Mapping[str, DataClass] = field(default_factory=dict)  # joined name -> class
    vocabulary: frozenset[str] = frozenset()  # words compounds are split into
    _cache: BoundedCache[Path, DataClass | None] = field(
        default_factory=lambda: BoundedCache(65536), compare=False, repr=False)

    @property
    def by_name(self) -> Mapping[str, DataClass]:
        return MappingProxyType({c.name: c for c in self.classes})

    def classify(self, path: Path) -> DataClass | None:
        """The class of the leaf at `path` by its field names, or None."""
        try:
            return self._cache[path]
        except KeyError:
            return self._cache.put(path, self._classify(path))

    def _classify(self, path: Path) -> DataClass | None:
        names = [p for p in path if isinstance(p, str)]
        if not names:
            return None
        leaf = names[-1]
        fixed = self.fields.get(joined(leaf))
        if fixed is not None:
            return fixed
        words = self._words(leaf)
        if ABOUT.intersection(words):
            return None
        if words and set(words) <= GENERIC and len(names) > 1:
            parent = names[-2]
            words = self._words(parent) + words
            leaf = parent + leaf
        best, found = NO_MATCH, None
        for c in self.classes:
            where = c.position(leaf, words)
            if where > best:
                best, found = where, c
        return found

    def says_something(self, path: Path) -> bool:
        """Whether the leaf's field name means something to the catalog: it has
        a class, or its own name holds a word the catalog knows (a class word,
        a veto such as `bank`, a modifier) other than the generic ones (`name`,
        `value`, `no`)."""
        names = [p for p in path if isinstance(p, str)]
        if not names:
            return False
        return self.classify(path) is not None or any(
            w in self.vocabulary and w not in GENERIC for w in self._words(names[-1]))

    def _words(self, name: str) -> tuple[str, ...]:
        out: list[str] = []
        for word in field_words(name):
            pieces = None
            if len(word) >= 4 and word.isascii() and word not in self.vocabulary:
                pieces = split_compound(word, self.vocabulary)
            out.extend(pieces or (word,))
        return tuple(out)

    def check_selectors(self, selectors: Iterable[str]) -> list[str]:
        """The selectors that name no class, level or level.category."""
        return [s for s in selectors if not any(c.selected_by(s) for c in self.classes)]

    def extended(self, classes: Mapping[str, Mapping[str, Any]],
                 fields: Mapping[str, str]) -> Catalog:
        """This catalog with a policy's classes (before the packaged ones, so
        they win) and fixed field names."""
        added = tuple(parse_class(n, spec) for n, spec in classes.items())
        merged = added + tuple(c for c in self.classes if c.name not in classes)
        names = {c.name: c for c in merged}
        fixed = dict(self.fields)
        for name, cls in fields.items():
            if cls not in names:
                raise ValueError(f"field '{name}': unknown data class '{cls}'")
            fixed[joined(name)] = names[cls]
        return Catalog(merged, MappingProxyType(fixed), vocabulary_of(merged, self.vocabulary))


@cache
def packaged() -> Catalog:
    """The catalog that ships with the package (read once)."""
    text = resources.files("gateway.detect").joinpath("data_classes.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    classes = tuple(parse_class(n, spec) for n, spec in data["classes"].items())
    return Catalog(classes, {}, vocabulary_of(classes, data.get("modifiers", ())))
