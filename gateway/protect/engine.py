"""Apply a rule plan to a document: field rules, detection, operators.

Overlapping findings resolve to the widest span (then the highest score);
replacements are made from the end of the text backwards, so earlier offsets
stay valid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gateway.codecs.base import Document, FieldPath, hints_for, render_path
from gateway.detect import Detector, Finding
from gateway.operators.base import Blocked
from gateway.protect.rules import WHOLE_FIELD, RulePlan


class FieldBlocked(Exception):
    """A block operator fired. Carries what may be said: path and entity type."""

    def __init__(self, status: int, path: str, entity: str) -> None:
        super().__init__(status)
        self.status = status
        self.path = path
        self.entity = entity


@dataclass(slots=True)
class Outcome:
    counts: Counter[tuple[str, str]]  # (entity, operator) -> findings
    changed: bool = False


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), -f.score, f.start)):
        if all(f.end <= c.start or c.end <= f.start for c in chosen):
            chosen.append(f)
    return chosen


def _apply(plan: RulePlan, text: str, findings: list[Finding], path: FieldPath,
           counts: Counter[tuple[str, str]]) -> str:
    for f in sorted(resolve_overlaps(findings), key=lambda f: -f.start):
        operator = plan.operator_for(f.entity_type, path)
        try:
            replacement = operator.apply(text[f.start:f.end], f.entity_type)
        except Blocked as exc:
            raise FieldBlocked(exc.status, render_path(path), f.entity_type) from None
        counts[(f.entity_type, operator.name)] += 1
        text = text[:f.start] + replacement + text[f.end:]
    return text


def protect(document: Document, plan: RulePlan, detector: Detector) -> Outcome:
    outcome = Outcome(Counter())
    leaves = document.leaves()
    scan: list[int] = []
    for index, leaf in enumerate(leaves):
        rule = plan.field_rule(leaf.path)
        if rule is None:
            scan.append(index)
            continue
        try:
            new = rule.operator.apply(leaf.text, WHOLE_FIELD)
        except Blocked as exc:
            raise FieldBlocked(exc.status, render_path(leaf.path), WHOLE_FIELD) from None
        outcome.counts[(WHOLE_FIELD, rule.operator.name)] += 1
        if new != leaf.text:
            document.set(index, new)
            outcome.changed = True
    if not scan:
        return outcome
    found = detector.detect_many([(leaves[i].text, hints_for(leaves[i].path)) for i in scan])
    for index, findings in zip(scan, found, strict=True):
        if not findings:
            continue
        leaf = leaves[index]
        new = _apply(plan, leaf.text, findings, leaf.path, outcome.counts)
        if new != leaf.text:
            document.set(index, new)
            outcome.changed = True
    return outcome
