"""The hash chain that makes the audit trail tamper-evident.

Each record carries `chain` = HMAC-SHA256(audit key, previous chain value,
newline, the record's canonical JSON without `chain`). The record holds its
chain id (random per writer start), worker id, sequence number and key id,
so a changed, deleted, inserted or reordered record breaks the chain where it
happened, and the next record cannot be made to fit without the key.

The canonical form is orjson's with sorted keys (compact, UTF-8 unescaped):
a record parsed and written out again by a log pipeline still verifies.
Trails written before orjson used `json.dumps` with the same options; the
two differ only in some floats' exponents (`1.5e-07`), so `verify` accepts
either form (`FORMS`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

import orjson

GENESIS = "0" * 64


def canonical_json(record: dict[str, Any], escaped: bool = False) -> bytes:
    body = {k: v for k, v in record.items() if k != "chain"} if "chain" in record else record
    try:
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError: integers beyond 64 bits, odd types
        try:
            return legacy_json(body)
        except UnicodeEncodeError:  # a lone surrogate: recorded as its escape, not lost
            if escaped:  # in a text no escape reaches (an odd object's str)
                raise
            return canonical_json(writable(body), True)


def writable(value: Any) -> Any:
    """`value` with each lone surrogate in its texts written as its escape
    (the six characters `\\ud800`): UTF-8 cannot carry one, and a JSON key
    or string "\\ud800" parses to one. The record then seals and verifies
    as written (its line holds the escape as text)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {writable(k): writable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [writable(v) for v in value]
    return value


def legacy_json(record: dict[str, Any]) -> bytes:
    """The canonical form of earlier trails (and of what orjson cannot write)."""
    body = {k: v for k, v in record.items() if k != "chain"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_plain).encode()


def _plain(value: Any) -> Any:
    """What json.dumps cannot write: a pre-serialized part (an orjson
    Fragment, gateway/audit/reveals.py) as its JSON, anything else as text."""
    if isinstance(value, orjson.Fragment):
        return orjson.loads(orjson.dumps(value))
    return str(value)


FORMS: tuple[Callable[[dict[str, Any]], bytes], ...] = (canonical_json, legacy_json)


def link(key: bytes, previous: str, record: dict[str, Any],
         form: Callable[[dict[str, Any]], bytes] = canonical_json) -> str:
    return hmac.new(key, previous.encode() + b"\n" + form(record), hashlib.sha256).hexdigest()


class Chain:
    def __init__(self, key: bytes, kid: str, worker: int) -> None:
        self._mac = hmac.new(key, digestmod=hashlib.sha256)  # keyed once, copied per record
        self.kid = kid
        self.worker = worker
        self.chain_id = secrets.token_hex(8)
        self.seq = 0
        self.last = GENESIS

    def seal(self, record: dict[str, Any], ts: str | None = None) -> bytes:
        """The record as one JSON line (canonical form, then `chain`), with
        the time of sealing (`ts`, when given and the record has none),
        chain id, worker, sequence and key id added. Serialized once: the
        line is the canonical form the chain value covers."""
        if ts is None:
            full = {**record, "chain_id": self.chain_id, "worker": self.worker,
                    "seq": self.seq, "kid": self.kid}
        else:
            full = {"ts": ts, **record, "chain_id": self.chain_id, "worker": self.worker,
                    "seq": self.seq, "kid": self.kid}
        body = canonical_json(full)
        mac = self._mac.copy()
        mac.update(self.last.encode() + b"\n" + body)
        self.last = mac.hexdigest()
        self.seq += 1
        return body[:-1] + b',"chain":"' + self.last.encode() + b'"}\n'
