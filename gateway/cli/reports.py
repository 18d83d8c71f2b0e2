"""Reports for CI systems: JUnit XML (`policy test --junit`) and SARIF 2.1.0
(`scan --format sarif`). Both carry field paths, entity types and decisions,
never values."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gateway import __version__
from gateway.policy.cases import FileResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
Finding = tuple[str, str, str, str]  # (METHOD path, direction, where:field, entity)


def junit(files: Iterable[FileResult], errors: Mapping[Path, str]) -> bytes:
    """One test suite per test file; a file that could not run is one error."""
    root = ET.Element("testsuites", name="pii-gateway policy test")
    for result in files:
        failed = [r for r in result.results if not r.passed]
        suite = ET.SubElement(root, "testsuite", name=str(result.path),
                              tests=str(len(result.results)), failures=str(len(failed)),
                              errors="0")
        for case in result.results:
            node = ET.SubElement(suite, "testcase", classname=str(result.policy),
                                 name=case.name)
            if case.failures:
                failure = ET.SubElement(node, "failure", message=case.failures[0])
                failure.text = "\n".join(case.failures)
    for path, message in errors.items():
        suite = ET.SubElement(root, "testsuite", name=str(path), tests="1", failures="0",
                              errors="1")
        node = ET.SubElement(suite, "testcase", classname=str(path), name="load")
        ET.SubElement(node, "error", message=message)
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def sarif(findings: Mapping[Finding, int], capture: str,
          baseline: set[Finding] | None = None) -> dict[str, Any]:
    """One result per finding (a field of one message, with its count), rule
    ids per entity type, the location as the capture file with the method,
    URL path and field path as its logical location. With a baseline, each
    result says whether it is `new` or `unchanged`."""
    entities = sorted({entity for (_, _, _, entity) in findings})
    rules = [{"id": f"pii/{e}", "name": e,
              "shortDescription": {"text": f"Unprotected personal data: {e}"},
              "defaultConfiguration": {"level": "error"}} for e in entities]
    results = []
    for (message, direction, field, entity), count in sorted(findings.items()):
        where = f"{message} {direction} {field}"
        results.append({
            "ruleId": f"pii/{entity}",
            "ruleIndex": entities.index(entity),
            "level": "error",
            "message": {"text": f"{entity} in {direction} {field} of {message} (x{count})"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": capture}},
                "logicalLocations": [{"name": field, "fullyQualifiedName": where,
                                      "kind": "member"}],
            }],
            "partialFingerprints": {"piiFinding/v1": where + " " + entity},
            "properties": {"count": count, "direction": direction, "request": message},
        })
        if baseline is not None:
            known = (message, direction, field, entity) in baseline
            results[-1]["baselineState"] = "unchanged" if known else "new"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pii-gateway scan", "version": __version__,
                                "rules": rules}},
            "artifacts": [{"location": {"uri": capture}}],
            "results": results,
        }],
    }


def sarif_text(findings: Mapping[Finding, int], capture: str,
               baseline: set[Finding] | None = None) -> str:
    return json.dumps(sarif(findings, capture, baseline), ensure_ascii=False, indent=2)
