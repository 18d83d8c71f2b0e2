# Types of the compiled core (gateway/native/_core.pyx), for mypy.
from collections.abc import Callable, Sequence
from typing import Any

from gateway.ratelimit import admission, remote
from gateway.ratelimit.admission import Admitted
from gateway.ratelimit.checks import Check
from gateway.ratelimit.slots import SlotGroup
from gateway.ratelimit.store import Bucket, Observed, Op, Verdict

SOURCE_DIGEST: str
KINDS: dict[tuple[str, str], int]

class JsonRefused(Exception):
    code: str
    detail: Any

class Engine:
    entities: tuple[str, ...]
    recognizers: tuple[str, ...]
    def __init__(self, config: dict[str, Any]) -> None: ...
    def detect(self, text: str, bits: int = 0
               ) -> list[tuple[int, int, int, float, int]] | None: ...
    def detect_items(self, items: Any, bits_of: dict[tuple[str, ...], int],
                     resolve: Any, finding: Any) -> list[list[Any] | None]: ...
    def detect_batch(self, texts: list[str], bits: list[int]
                     ) -> list[list[tuple[int, int, int, float, int]] | None]: ...

class Decision:
    hints: tuple[str, ...]
    prose: bool
    def __init__(self, field: tuple[Any, ...] | None, bits: int,
                 actions: list[tuple[Any, ...]], hints: tuple[str, ...],
                 prose: bool = ...) -> None: ...

class JsonPlan:
    ops: tuple[str, ...]
    entity_names: tuple[str, ...]
    paths_known: int
    def __init__(self, engine: Engine, host: Any, ops: tuple[str, ...], index_sensitive: bool,
                 custom: bool, record_keys: tuple[str, ...], max_paths: int = ...,
                 columns: bool = ..., prose_min: int = ..., finder: ProseFinder | None = ...,
                 prose_entity: int = ..., prose_score: float = ...) -> None: ...
    def protect(self, bodies: list[bytes], numbers: tuple[int, ...] | None, call: Any,
                stage: int = 0, share_gil: bool = False
                ) -> tuple[list[bytes | None] | None, list[tuple[int, int, int]]]: ...


class ProseFinder:
    """prose_names.find_names after `qualifies`, in C (prose.pxi)."""

    remembered: int
    def __init__(self, tables: dict[str, Any], ask: Callable[[str], tuple[int, int]]) -> None: ...
    def clear(self) -> None: ...
    def find(self, text: str) -> list[tuple[int, int]]: ...

class KeyedBlake2b:
    """hashlib.blake2b(key=key, digest_size=size), keyed once (blake2b.pxi)."""

    def __init__(self, key: bytes, size: int) -> None: ...
    def values(self, kind: str, texts: list[str],
               normalize: Callable[[str], str]) -> list[str]: ...
    def distinct(self, kind: str, texts: list[str], normalize: Callable[[str], str],
                 most: int) -> list[str]: ...
    def distinct_many(self, groups: list[tuple[str, list[str]]],
                      normalize: Callable[[str], str], most: int) -> list[list[str]]: ...

def reveal_fields_json(keyed: KeyedBlake2b, shown: list[tuple[tuple[str, str], list[str]]],
                       normalize: Callable[[str], str], most: int) -> bytes: ...

def ClientLimits(*args: Any) -> admission.ClientLimits: ...  # admission.ClientLimits' twin

class RemoteDecisions:
    """gateway/ratelimit/remote.py's script and answered in C (remote.pxi)."""

    def __init__(self, verdict: type[Verdict], day_offset: int) -> None: ...
    def script(self, c: admission.ClientLimits, path: str) -> remote.Script | None: ...
    def answered(self, reply: list[Any], c: admission.ClientLimits,
                 checks: tuple[Check, ...]) -> Admitted: ...
    def decided(self, replies: list[list[Any]], groups: tuple[SlotGroup, ...],
                checks: tuple[tuple[Check, ...], ...], whole: admission.ClientLimits
                ) -> Admitted: ...

class LimitTable:
    """gateway/ratelimit/table.py's Table in C (limits.pxi)."""

    def __init__(self, verdict: type[Verdict], slack: float, day_offset: float,
                 sweep_every: int) -> None: ...
    def __len__(self) -> int: ...
    def decide(self, buckets: Sequence[Bucket], penalty_keys: Sequence[str],
               ops: Sequence[Op], now: float) -> Verdict: ...
    def observe(self, ops: Sequence[Op], now: float) -> list[Observed]: ...
    def admit(self, c: admission.ClientLimits, path: str, now: float) -> Admitted | None: ...
    def put(self, key: str, value: str, expires: float, now: float) -> None: ...
    def find(self, prefix: str, now: float) -> list[tuple[str, str, float]]: ...
    def pop(self, key: str) -> bool: ...
