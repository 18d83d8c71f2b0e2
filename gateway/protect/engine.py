"""Apply a rule plan to a document: field rules, detection, operators.

Overlapping findings resolve to the widest span (then the highest score);
replacements are made from the end of the text backwards, so earlier offsets
stay valid.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from gateway.codecs.base import (
    Document,
    FieldPath,
    Keyed,
    hints_for,
    key_leaves,
    pattern_path,
    render_path,
)
from gateway.detect import Detector, Finding
from gateway.detect.hints import key_hints
from gateway.errors import FieldBlocked
from gateway.operators.base import Failed, Operator
from gateway.operators.site import Records, Site
from gateway.protect.columns import COLUMN_HINT, name_columns
from gateway.protect.rules import WHOLE_FIELD, RulePlan
from gateway.protect.split import protect_split

# Called for each decision: (field path, entity, score, rule name or "default",
# operator name, the original text). Only `policy explain` uses it.
Trace = Callable[[FieldPath, str, float, str, str, str], None]


# What inspection keeps besides the counts: nothing (False); what responses
# show in full, by field and entity (REVEALS: the audit trail, the exposure
# budget); that and every value found, by entity (True: honeytokens too).
Collect = bool | Literal["reveals"]
REVEALS: Literal["reveals"] = "reveals"


@dataclass(slots=True)
class Outcome:
    counts: Counter[tuple[str, str]]  # (entity, operator) -> findings
    changed: bool = False
    # entity -> the values found, when asked for (honeytokens are looked up in
    # them; they are never logged or stored)
    values: dict[str, set[str]] | None = None
    # (field pattern, entity) -> values shown in full (operators that reveal:
    # keep, decrypt then keep), when asked for: the audit trail's reveals
    reveals: dict[tuple[str, str], list[str]] | None = None


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Non-overlapping findings, widest first, then highest score, then
    leftmost. Chosen spans are kept sorted, so each check looks at two
    neighbours only (a long free-text leaf can hold thousands of findings)."""
    starts: list[int] = []
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), -f.score, f.start)):
        i = bisect_left(starts, f.start)
        if i > 0 and chosen[i - 1].end > f.start:
            continue
        if i < len(chosen) and chosen[i].start < f.end:
            continue
        starts.insert(i, f.start)
        chosen.insert(i, f)
    return chosen


def run_operator(operator: Operator, text: str, entity: str, site: Site,
                 outcome: Outcome) -> str:
    """One operator on one value, counted; a block gets its field and entity."""
    try:
        replacement = operator.apply(text, entity, site)
    except FieldBlocked as exc:
        raise exc.located(render_path(site.path), entity) from None
    except Failed as exc:
        outcome.counts[(entity, exc.label)] += 1
        return exc.replacement
    outcome.counts[(entity, operator.name)] += 1
    if outcome.reveals is not None and getattr(operator, "reveals", False):
        shown = getattr(operator, "entity", None) or entity
        outcome.reveals.setdefault((pattern_path(site.path), shown), []).append(replacement)
    return replacement


def apply_findings(plan: RulePlan, text: str, findings: list[Finding], site: Site,
                   outcome: Outcome, trace: Trace | None = None) -> str:
    """The operators the plan chooses for each finding of one text, applied
    from the end backwards; the new text."""
    pieces: list[str] = []  # built from the end backwards, joined once
    end = len(text)
    for f in sorted(resolve_overlaps(findings), key=lambda f: -f.start):
        rule = plan.rule_for(f.entity_type, site.path)
        operator = plan.default if rule is None else rule.operator
        if trace is not None:
            trace(site.path, f.entity_type, f.score, rule.name if rule else "default",
                  operator.name, text[f.start:f.end])
        if outcome.values is not None:
            outcome.values.setdefault(f.entity_type, set()).add(text[f.start:f.end])
        replacement = run_operator(operator, text[f.start:f.end], f.entity_type, site, outcome)
        pieces.append(text[f.end:end])
        pieces.append(replacement)
        end = f.start
    pieces.append(text[:end])
    return "".join(reversed(pieces))


def protect(document: Document, plan: RulePlan, detector: Detector,
            trace: Trace | None = None, collect: Collect = False) -> Outcome:
    """`collect`: keep the values shown in full, by field and entity, in
    `Outcome.reveals` (REVEALS), and also every value found, by entity, in
    `Outcome.values` (True)."""
    outcome = Outcome(Counter(), values={} if collect is True else None,
                      reveals={} if collect else None)
    leaves = document.leaves()
    # record-key values as received, before any operator changes a leaf
    records = Records(leaves, plan.record_keys) if plan.record_keys else None
    scan: list[int] = []
    for index, leaf in enumerate(leaves):
        rule = plan.field_rule(leaf.path)
        if rule is None:
            scan.append(index)
            continue
        if trace is not None:
            trace(leaf.path, WHOLE_FIELD, 1.0, rule.name, rule.operator.name, leaf.text)
        new = run_operator(rule.operator, leaf.text, WHOLE_FIELD,
                           Site(plan.data_class, leaf.path, records), outcome)
        if new != leaf.text:
            document.set(index, new)
            outcome.changed = True
    _protect_keys(document, plan, detector, records, outcome, trace)
    if not scan:
        return outcome

    def joined(text: str, findings: list[Finding], path: FieldPath) -> str:
        return apply_findings(plan, text, findings, Site(plan.data_class, path, records),
                              outcome, trace)

    handled, changed = protect_split(document, leaves, scan, detector, joined)
    if handled:
        outcome.changed |= changed
        scan = [i for i in scan if i not in handled]
    columns = name_columns(leaves, detector) if "PERSON_NAME" in detector.entities else None

    def hints(path: FieldPath) -> tuple[str, ...]:
        if columns and pattern_path(path) in columns:  # a column of names (columns.py)
            return (*hints_for(path), COLUMN_HINT)
        return hints_for(path)

    found = detector.detect_many([(leaves[i].text, hints(leaves[i].path)) for i in scan])
    for index, findings in zip(scan, found, strict=True):
        if not findings:
            continue
        leaf = leaves[index]
        new = apply_findings(plan, leaf.text, findings,
                             Site(plan.data_class, leaf.path, records), outcome, trace)
        if new != leaf.text:
            document.set(index, new)
            outcome.changed = True
    return outcome


def _protect_keys(document: Document, plan: RulePlan, detector: Detector,
                  records: Records | None, outcome: Outcome, trace: Trace | None) -> None:
    """Keys that hold personal data (a map keyed by mobile number, a name as a
    key, a form item without `=`) get the operator the rules choose for their
    findings, like values; the document keeps renamed keys distinct."""
    keys = key_leaves(document)
    if not keys:
        return
    found = detector.detect_many([(leaf.text, key_hints(leaf.path)) for leaf in keys])
    keyed = cast(Keyed, document)
    for index, findings in enumerate(found):
        if not findings:
            continue
        leaf = keys[index]
        new = apply_findings(plan, leaf.text, findings, Site(plan.data_class, leaf.path, records),
                             outcome, trace)
        if new != leaf.text:
            keyed.set_key(index, new)
            outcome.changed = True
