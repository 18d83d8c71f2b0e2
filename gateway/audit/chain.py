"""The hash chain that makes the audit trail tamper-evident.

Each record carries `chain` = HMAC-SHA256(audit key, previous chain value,
newline, the record's canonical JSON without `chain`). The record holds its
chain id (random per writer start), worker id, sequence number and key id,
so a changed, deleted, inserted or reordered record breaks the chain where it
happened, and the next record cannot be made to fit without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

GENESIS = "0" * 64


def canonical_json(record: dict[str, Any]) -> bytes:
    body = {k: v for k, v in record.items() if k != "chain"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def link(key: bytes, previous: str, record: dict[str, Any]) -> str:
    return hmac.new(key, previous.encode() + b"\n" + canonical_json(record),
                    hashlib.sha256).hexdigest()


class Chain:
    def __init__(self, key: bytes, kid: str, worker: int) -> None:
        self._key = key
        self.kid = kid
        self.worker = worker
        self.chain_id = secrets.token_hex(8)
        self.seq = 0
        self.last = GENESIS

    def seal(self, record: dict[str, Any]) -> str:
        """The record as one JSON line (canonical form, then `chain`), with
        chain id, worker, sequence and key id added. Serialized once: the
        line is the canonical form the chain value covers."""
        body = canonical_json({**record, "chain_id": self.chain_id, "worker": self.worker,
                          "seq": self.seq, "kid": self.kid})
        self.last = hmac.new(self._key, self.last.encode() + b"\n" + body,
                             hashlib.sha256).hexdigest()
        self.seq += 1
        return body[:-1].decode() + f',"chain":"{self.last}"}}\n'
