"""Data classes by field meaning: which JR/T 0171 class a field's value is in.

The catalog ships with the package (`data_classes.yaml`, documented there)
and a policy extends it (`data_classes:`). It is compiled once per policy
into a `Catalog`; `classify(path)` reads the field names of a leaf's path and
is cached per path.
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

    def matches(self, name: str, words: tuple[str, ...]) -> bool:
        if self.vetoes.intersection(words):
            return False
        if joined(name) in self.keys or any(z in name for z in self.zh):
            return True
        present = set(words)
        return any(ws <= present for ws in self.words)


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


@dataclass(frozen=True, slots=True)
class Catalog:
    classes: tuple[DataClass, ...]
    fields: Mapping[str, DataClass] = field(default_factory=dict)  # joined name -> class
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
        words = field_words(leaf)
        if ABOUT.intersection(words):
            return None
        if words and set(words) <= GENERIC and len(names) > 1:
            parent = names[-2]
            words = field_words(parent) + words
            leaf = parent + leaf
        return next((c for c in self.classes if c.matches(leaf, words)), None)

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
        return Catalog(merged, MappingProxyType(fixed))


@cache
def packaged() -> Catalog:
    """The catalog that ships with the package (read once)."""
    text = resources.files("gateway.detect").joinpath("data_classes.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return Catalog(tuple(parse_class(n, spec) for n, spec in data["classes"].items()))
