"""The JSON hot path of one rule plan: the native core parses, walks, detects
and applies the operators it can run itself (keep, mask, redact, replace,
block); for anything else it calls back into the reference code here, so
hashing, encryption, policy recognizers and texts outside its character set
behave exactly as on the Python path (`gateway/protect/engine.py`).

Decisions are per key path: the first time a path is seen, `decide` works out
its whole-field rule, the context its field names give, and the operator for
each entity type; the core keeps the answer for every later leaf at that path.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from typing import Any

from gateway.cache import BoundedCache
from gateway.codecs.base import KEY, CodecError, FieldPath, hints_for, pattern_path, render_path
from gateway.codecs.charset import decode_text, resolve
from gateway.codecs.json_codec import SURROGATE, TOO_DEEP, JsonCodec, NdjsonCodec
from gateway.codecs.registry import codec_for, content_type_params
from gateway.codecs.tables import is_header_key
from gateway.detect import Detector
from gateway.detect.hints import key_hints
from gateway.detect.prose_names import ENTITY as PROSE_ENTITY
from gateway.detect.prose_names import MIN_HAN as PROSE_MIN_HAN
from gateway.detect.prose_names import SCORE as PROSE_SCORE
from gateway.detect.prose_names import native_finder as PROSE_FINDER
from gateway.detect.prose_names import prose_spans
from gateway.errors import FieldBlocked
from gateway.native import core
from gateway.operators.base import Operator
from gateway.operators.block import Block
from gateway.operators.generalize import Generalize
from gateway.operators.keep import Keep
from gateway.operators.mask import DEFAULTS, FALLBACK, Mask
from gateway.operators.redact import Redact
from gateway.operators.registry import OPERATORS
from gateway.operators.replace import Replace
from gateway.operators.site import Records, Site
from gateway.protect.columns import unnamed
from gateway.protect.engine import Collect, Outcome, apply_findings, run_operator
from gateway.protect.rules import WHOLE_FIELD, CompiledRule, RulePlan
from gateway.protect.split import is_part_key

OPS: tuple[str, ...] = tuple(OPERATORS)
_MASK_MODES = {"ADDRESS": 1, "EMAIL_ADDRESS": 2, "IP_ADDRESS": 3}  # masks.pxi MaskMode
_DECISIONS = 4096


_GEN_METHODS = {"year": 1, "region": 2, "band": 3}  # generalize.pxi GenMethod
_DISPLAY = Mask(None, None, "*")


def _generalize(operator: Generalize, entity: str, path: FieldPath, slot: int
                ) -> tuple[Any, ...]:
    """How the core applies `generalize` here: itself for year, region, band
    (declining to Python what it cannot read), a mask, a constant or a keep
    when that is what the method comes to; Python otherwise (hash, coarse,
    prefix, explicit bands)."""
    method, shown = operator.method_for(entity, path)
    if method == "mask":
        if operator.redact_fallback:
            return ("const", slot, "")
        return ("mask", slot, *action(_DISPLAY, shown)[2:])
    if method == "remove":
        return ("const", slot, "")
    if method == "keep":
        return ("keep", slot, False)
    if method in _GEN_METHODS and not (method == "band" and operator.edges):
        return ("gen", slot, _GEN_METHODS[method], operator.level == "province", operator)
    return ("py", slot, operator)


def action(operator: Operator, entity: str, path: FieldPath = ()) -> tuple[Any, ...]:
    """How the core applies `operator` to a finding of `entity` (or FIELD) at
    the key path `path`."""
    slot = OPS.index(operator.name)
    if isinstance(operator, Generalize):
        return _generalize(operator, entity, path, slot)
    if isinstance(operator, Keep):
        return ("keep", slot, True)
    if isinstance(operator, Mask):
        plain = operator.keep_first is None and operator.keep_last is None
        mode = _MASK_MODES.get(entity, 0) if plain else 0
        first, last = DEFAULTS.get(entity, FALLBACK)
        return ("mask", slot, -1 if operator.keep_first is None else operator.keep_first,
                -1 if operator.keep_last is None else operator.keep_last, first, last,
                operator.char, mode, entity == "CN_MOBILE" and operator.keep_first is None)
    if isinstance(operator, Redact):
        return ("const", slot, "")
    if isinstance(operator, Replace):
        return ("const", slot, operator.template.replace("{entity}", entity))
    if isinstance(operator, Block):
        return ("block", slot, operator.status)
    return ("py", slot, operator)


class KeysHoldData(Exception):
    """A body with personal data in an object key, a split identifier, a
    table's column names or a column of names by its values: the Python path
    takes it."""


class NativeJson:
    """The core's plan for one RulePlan and Detector (cached on the RulePlan)."""

    def __init__(self, plan: RulePlan, detector: Detector, max_paths: int = 65536) -> None:
        """`max_paths`: key paths whose decisions the core keeps (beyond, it asks
        `decide` for every leaf: slower, same answers)."""
        assert core is not None
        assert detector.native is not None
        self.plan = plan
        self.detector = detector
        self.scanner = detector.native
        self.entities: tuple[str, ...] = self.scanner.engine.entities
        self._custom = (Detector(detector.settings.without_builtin(), native=False)
                        if detector.settings.custom or detector.settings.presidio_yaml else None)
        rank = {entity: i for i, entity in enumerate(self.entities)}
        self._rank = rank
        self._decisions: dict[tuple[Any, ...], Any] = {}
        self._key_verdicts: BoundedCache[tuple[str, tuple[str, ...]], bool] = BoundedCache(65536)
        index_sensitive = any(
            isinstance(token, int) and token >= 0
            for rule in plan.rules for selector in (rule.fields or ()) for token in selector.tokens)
        self.core = core.JsonPlan(self.scanner.engine, self, OPS, index_sensitive,
                                  self._custom is not None, tuple(sorted(plan.record_keys)),
                                  max_paths, "PERSON_NAME" in detector.entities,
                                  PROSE_MIN_HAN if detector.prose else 0,
                                  PROSE_FINDER if detector.prose and PROSE_ENTITY in rank else None,
                                  rank.get(PROSE_ENTITY, -1), PROSE_SCORE)

    def decide(self, path: FieldPath) -> tuple[Any, str]:
        """The core's Decision for the leaves at `path`, and the path's pattern."""
        plan = self.plan
        rule = plan.field_rule(path)
        field = action(rule.operator, WHOLE_FIELD, path) if rule is not None else None
        hints = hints_for(path)
        bits = self.scanner.bits(hints)
        rules: list[CompiledRule | None] = [plan.rule_for(e, path) for e in self.entities]
        actions = [action(plan.default if r is None else r.operator, e, path)
                   for r, e in zip(rules, self.entities, strict=True)]
        key = (_key(field), bits, tuple(_key(a) for a in actions), hints)
        decision = self._decisions.get(key)
        if decision is None:
            assert core is not None
            decision = core.Decision(field, bits, actions, hints,
                                     self.detector.prose_for(hints))
            if len(self._decisions) < _DECISIONS:
                self._decisions[key] = decision
        return decision, pattern_path(path)

    def keys_hold_data(self, key: str, container: FieldPath) -> bool:
        """Called by the core for an object key not seen before under its
        container: raises KeysHoldData when the key is personal data (the
        Python path then rewrites it); keys that are not become path nodes.
        True for a table's header key (`columns`, `headers`): the core then
        hands the body over wherever its value may name columns."""
        if is_part_key(key):  # a split identifier: the Python path reads the parts together
            raise KeysHoldData
        hints = key_hints((*container, KEY))
        verdict = self._key_verdicts.get((key, hints))
        if verdict is None:
            verdict = self._key_verdicts.put(
                (key, hints), bool(self.detector.detect_many([(key, hints)])[0]))
        if verdict:
            raise KeysHoldData
        return is_header_key(key)

    def table_header(self) -> None:
        """Called by the core for a header key's value that may name columns:
        the Python codec names the table's cells by column
        (`gateway/codecs/tables.py`)."""
        raise KeysHoldData

    def names_column(self, path: FieldPath | None) -> None:
        """Called by the core for a path inside lists whose values are mostly
        name-shaped (None: it cannot tell which path): raises KeysHoldData when
        the field names give the path no meaning, so that the Python path
        decides the column by its values (`gateway/protect/columns.py`)."""
        if path is None or unnamed(path, self.detector):
            raise KeysHoldData

    def custom(self, text: str, hints: tuple[str, ...]) -> list[tuple[int, int, int, float, int]]:
        """Findings the core does not make: the policy's recognizers', and
        names in prose and in pinyin (the texts the core hands over for them;
        `Detector.prose_for` and `prose_names.prose_spans` decide)."""
        rank = self._rank
        found = [(rank[f.entity_type], f.start, f.end, f.score, 0)
                 for f in self._custom.python_many([(text, hints)])[0]] if self._custom else []
        if self.detector.prose_for(hints):
            person = rank[PROSE_ENTITY]
            found += [(person, start, end, PROSE_SCORE, 0) for start, end in prose_spans(text)]
        return found


def _key(spec: tuple[Any, ...] | None) -> Any:
    """A hashable stand-in for an action (operators by identity)."""
    if spec is None:
        return None
    return tuple(id(part) if not isinstance(part, str | int | float | bool) else part
                 for part in spec)


class Call:
    """One message's Python side: where the core's callbacks land."""

    __slots__ = ("native", "outcome")

    def __init__(self, native: NativeJson, outcome: Outcome) -> None:
        self.native = native
        self.outcome = outcome

    def _site(self, path: FieldPath, records: dict[Any, str] | None) -> Site:
        return Site(self.native.plan.data_class, path,
                    Records.of(records) if records is not None else None)

    def run(self, operator: Operator, text: str, entity: str, path: FieldPath,
            records: dict[Any, str] | None) -> str:
        return run_operator(operator, text, entity, self._site(path, records), self.outcome)

    def leaf(self, text: str, path: FieldPath, hints: tuple[str, ...],
             records: dict[Any, str] | None) -> str:
        """A text the core does not handle: the Python path, start to end."""
        findings = self.native.detector.python_many([(text, hints)])[0]
        if not findings:
            return text
        return apply_findings(self.native.plan, text, findings, self._site(path, records),
                              self.outcome)

    def block(self, status: int, path: FieldPath, entity: str) -> None:
        raise FieldBlocked(status, render_path(path), entity)

    def custom(self, text: str, hints: tuple[str, ...]) -> list[tuple[int, int, int, float, int]]:
        return self.native.custom(text, hints)


def native_json(plan: RulePlan, detector: Detector) -> NativeJson | None:
    """The plan's NativeJson, made on first use; None without the core."""
    if core is None or detector.native is None:
        return None
    native: NativeJson | None = plan.native
    if native is None or native.detector is not detector:
        native = plan.native = NativeJson(plan, detector)
    return native


def protect_json(native: NativeJson, bodies: list[bytes], numbers: tuple[int, ...] | None,
                 collect: Collect, stage: int = 0
                 ) -> tuple[list[bytes | None] | None, Outcome]:
    """Run the core over JSON documents (see core.JsonPlan.protect); refusals
    become the CodecErrors of the Python path."""
    outcome = Outcome(Counter(), values={} if collect is True else None,
                      reveals={} if collect else None)
    assert core is not None
    share_gil = threading.current_thread() is not threading.main_thread()  # off the loop
    try:
        results, counts = native.core.protect(bodies, numbers, Call(native, outcome), stage,
                                              share_gil)
    except core.JsonRefused as exc:
        raise _refusal(exc, bodies) from None
    names, ops = native.entities, OPS
    for entity, slot, count in counts:
        outcome.counts[(names[entity] if entity < len(names) else WHOLE_FIELD, ops[slot])] += count
    outcome.changed = results is not None and any(r is not None for r in results)
    return results, outcome


def _refusal(exc: Any, bodies: list[bytes]) -> CodecError:
    code = exc.code
    if code == "invalid_charset":
        return CodecError("invalid_charset", "the body is not valid utf-8")
    if code == "duplicate_key":
        return CodecError("duplicate_key", "the JSON body has a duplicate object key")
    if code == "too_deep":
        return CodecError("invalid_json", TOO_DEEP)
    if code == "surrogate":
        return CodecError("invalid_json", SURROGATE)
    doc, offset = exc.detail
    body = bodies[doc]
    if code == "constant":
        name = next(c for c in ("NaN", "Infinity", "-Infinity")
                    if body.startswith(c.encode(), offset))
        return CodecError("invalid_json",
                          f"the JSON body contains {name}, which JSON does not allow")
    before = body[:offset].decode("utf-8", "replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return CodecError("invalid_json", f"the JSON body is malformed (line {line}, column {column})")


@functools.lru_cache(maxsize=1024)
def _codec(content_type: str | None) -> JsonCodec | NdjsonCodec | None:
    """The JSON codec the core stands in for, for a UTF-8 body of this type
    (cached: a handful of Content-Type values recur on every request)."""
    media, params = content_type_params(content_type)
    try:
        codec = codec_for(media) if media else None
        charset = resolve(params.get("charset"))
    except CodecError:
        return None  # the Python path refuses it, with the same error
    if charset != "utf-8" or not isinstance(codec, JsonCodec | NdjsonCodec):
        return None
    return codec


def takes(content_type: str | None, detector: Detector) -> bool:
    """Whether the core inspects a body of this type with this detector."""
    return core is not None and detector.native is not None and _codec(content_type) is not None


def inspect_json(plain: bytes, content_type: str | None, plan: RulePlan, detector: Detector,
                 collect: Collect) -> tuple[bytes | None, Outcome] | None:
    """A UTF-8 JSON or NDJSON body through the core: (the new body or None when
    nothing changed, the outcome); None when the core does not take this body
    (no core, another media type or charset), which the Python path then does."""
    native = native_json(plan, detector)
    codec = _codec(content_type)
    if native is None or codec is None:
        return None
    try:
        if isinstance(codec, JsonCodec):
            results, outcome = protect_json(native, [plain], None, collect)
            return (results[0] if results else None), outcome
        return _ndjson(native, plain, collect)
    except KeysHoldData:
        return None


def _ndjson(native: NativeJson, plain: bytes, collect: Collect
            ) -> tuple[bytes | None, Outcome]:
    lines = decode_text(plain, "utf-8").split("\n")
    stripped = [line.strip().lstrip("\x1e") for line in lines]
    numbers = tuple(n for n, line in enumerate(stripped) if line)
    results, outcome = protect_json(native, [stripped[n].encode() for n in numbers], numbers,
                                    collect)
    if not outcome.changed or results is None:
        return None, outcome
    new = dict(zip(numbers, results, strict=True))
    out = [b"" if not stripped[n] else (new[n] or line.encode())
           for n, line in enumerate(lines)]
    return b"\n".join(out), outcome
