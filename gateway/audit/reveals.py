"""The `fields` of a reveal record: per field shown in full, its entity, how
many values and their keyed digests (distinct, sorted, capped).

With the native core the entries are written as JSON in one C call
(`reveal_fields_json`) and handed to orjson as a `Fragment`: the sealed line
is byte for byte what orjson makes of the dicts the pure-Python path builds
(tests/audit/test_reveals.py), so the chain and `audit verify` see no
difference. A field name orjson cannot encode (a lone surrogate) takes the
dicts, which the chain writes with the surrogate as its escape
(`chain.writable`).
"""

from __future__ import annotations

from typing import Any

import orjson

from gateway.crypto.digest import KeyedDigest, normalize_value
from gateway.native import core

Shown = list[tuple[tuple[str, str], list[str]]]  # ((field, entity), values shown)


def fields_dicts(values: KeyedDigest, shown: Shown, most: int) -> list[dict[str, Any]]:
    found = values.distinct_many([(entity, v) for (_, entity), v in shown], most)
    return [{"field": field, "entity": entity, "count": len(v), "digests": d}
            for ((field, entity), v), d in zip(shown, found, strict=True)]


def reveal_fields(values: KeyedDigest, shown: Shown, most: int
                  ) -> list[dict[str, Any]] | orjson.Fragment:
    native = values.native
    if native is not None and core is not None:
        try:
            return orjson.Fragment(core.reveal_fields_json(native, shown, normalize_value, most))
        except UnicodeEncodeError:
            pass  # a name orjson refuses too: the dicts (chain.writable escapes it)
    return fields_dicts(values, shown, most)
