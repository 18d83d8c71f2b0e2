"""Audit event names: the security decisions the audit trail records.

Every event is one JSON record with `event` set to one of these, plus the
fields listed; never a value of personal data (reveals carry keyed digests
of the values shown, so an auditor holding the audit key can ask "who saw
this ID in full" without the trail holding the ID).
"""

from __future__ import annotations

# Personal data shown in full to a caller, one record per response: role,
# caller, client, route, and `fields`: [{field (path pattern), entity, count,
# digests (keyed, of the values)}].
REVEALED = "pii.revealed"
# A block rule refused a message: direction, field, entity.
BLOCKED = "pii.blocked"
# A body could not be inspected and was refused (fail closed): code, direction.
REJECTED = "inspection.rejected"
# Ciphertexts that did not decrypt: entity, count.
DECRYPT_FAILED = "crypto.decrypt_failed"
# The key store was loaded or changed (rotation): version digest, current key ids.
KEYS_LOADED = "keys.loaded"
# A policy reload: outcome accepted|rejected, version, previous version.
POLICY_RELOADED = "policy.reloaded"
# A scraping detector fired and acted: detector, dimension, action (a ban or
# penalty starts here; requests refused while it lasts are not recorded each).
LIMITER = "ratelimit.decision"
# A response carried a honeytoken (a value that belongs to no real borrower):
# entity; the client is banned and the response refused.
HONEYTOKEN = "honeytoken.served"
# A request's records could not be made (a fault of the gateway's): request_id,
# route, error (the exception's type, never its message); whatever records of
# the request were made before the fault are sealed before this one.
RECORD_FAILED = "audit.record_failed"
# Chain bookkeeping: a file starts, a periodic checkpoint, a file ends, the
# writer closed (clean shutdown).
SEGMENT_START = "audit.segment_start"
CHECKPOINT = "audit.checkpoint"
SEGMENT_END = "audit.segment_end"
CLOSED = "audit.closed"
