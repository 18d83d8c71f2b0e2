"""Re-encrypt stored ciphertexts under the current keys (data migrations).

One JSON object per line in, one per line out, in order: nothing is lost.

    {"value": "pgw1.enc-1a2b3c4d.…", "data_class": "loan_application",
     "field": "applicant.idNumber", "record": "A20261129001"}

`data_class`, `field` and `record` are the context the value was encrypted
in (docs/encryption.md); `record` is empty or absent without a record
key. A `pgw1.` value is re-sealed under the current `encrypt` key, a `pgw1d.`
value under the current `deterministic` key. FPE values say so and name the
key they are under: `"scheme": "fpe", "kid": "fpe-…"`. A value that does not
open is copied unchanged with `"error": "undecryptable"`; a line that is not
such an object is copied as `{"line": N, "input": "...", "error": "..."}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gateway.crypto.envelope import (
    Unsealable,
    is_sealed,
    seal,
    seal_deterministic,
)
from gateway.crypto.ff1 import FF1
from gateway.crypto.keyring import TOKEN_PURPOSE, KeyRing
from gateway.operators.encrypt import fpe_apply, fpe_tweak


@dataclass(slots=True)
class Tally:
    done: int = 0
    failed: int = 0
    malformed: int = 0


def _context(item: dict[str, object]) -> tuple[str, str, str] | None:
    parts = (item.get("data_class"), item.get("field"), item.get("record", ""))
    if not all(isinstance(p, str) for p in parts) or not parts[0] or not parts[1]:
        return None
    return (str(parts[0]), str(parts[1]), str(parts[2]))


def _renew(keys: KeyRing, item: dict[str, object], value: str,
           context: tuple[str, str, str]) -> str:
    if item.get("scheme") == "fpe":
        kid = item.get("kid")
        old = keys.get(kid, "fpe") if isinstance(kid, str) else None
        if old is None:
            raise Unsealable
        plain = fpe_apply(FF1(old), value, fpe_tweak(context), decrypt=True)
        _, key = keys.for_encryption("fpe")
        return fpe_apply(FF1(key), plain, fpe_tweak(context), decrypt=False)
    if not is_sealed(value):
        raise Unsealable
    plain = keys.open(value, context)
    purpose = TOKEN_PURPOSE[value.partition(".")[0]]
    kid, key = keys.for_encryption(purpose)
    if purpose == "deterministic":
        return seal_deterministic(key, kid, plain, context)
    return seal(key, kid, plain, context)


def reencrypt(keys: KeyRing, lines: Iterable[str], tally: Tally) -> Iterator[str]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        value = item.get("value") if isinstance(item, dict) else None
        context = _context(item) if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(value, str) or context is None:
            tally.malformed += 1
            yield json.dumps({"line": number, "input": line.rstrip("\n"),
                              "error": "expected an object with value, data_class, field "
                              "and optionally record"}, ensure_ascii=False)
            continue
        try:
            item["value"] = _renew(keys, item, value, context)
            item.pop("error", None)
            tally.done += 1
        except (Unsealable, ValueError):
            item["error"] = "undecryptable"
            tally.failed += 1
        yield json.dumps(item, ensure_ascii=False)
