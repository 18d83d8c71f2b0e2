"""`pii-gateway scan` for pipelines: text, JSON and SARIF output, a baseline of
accepted findings, `--fail-on`; exit codes as before; never values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sarif_pydantic import Sarif

from gateway.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
HAR = str(DATA / "capture.har")
VALUES = ("13800138000", "张三", "11010519491231002X", "6222021234567890128")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["scan", *args])
    out = capsys.readouterr().out
    for value in VALUES:
        assert value not in out
    return code, out


def no_extras(model: Any, where: str = "$") -> list[str]:
    """Property names the SARIF 2.1.0 object model does not know."""
    if isinstance(model, BaseModel):
        extra = [f"{where}.{k}" for k in (model.model_extra or {})]
        for name in type(model).model_fields:
            extra += no_extras(getattr(model, name), f"{where}.{name}")
        return extra
    if isinstance(model, list):
        return [e for i, item in enumerate(model) for e in no_extras(item, f"{where}[{i}]")]
    return []


def test_json_output_lists_findings_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, HAR, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["total"] == 6 and report["baselined"] == 0
    assert {"request": "GET /api/v1/borrowers/*", "direction": "response",
            "field": "body:items[0].mobile", "entity": "CN_MOBILE",
            "count": 1} in report["findings"]


def test_sarif_output_is_sarif_2_1_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, HAR, "--format", "sarif")
    data = json.loads(out)
    log = Sarif.model_validate(data)
    assert no_extras(log) == []
    assert code == 1 and data["version"] == "2.1.0"
    (sarif_run,) = data["runs"]
    rules = [r["id"] for r in sarif_run["tool"]["driver"]["rules"]]
    assert rules == sorted(rules) and "pii/CN_MOBILE" in rules
    results = sarif_run["results"]
    assert len(results) == 6
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == HAR
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith(
            ("GET /api/v1/borrowers/*", "POST /api/v1/notes"))
        assert "baselineState" not in result


def test_a_baseline_accepts_known_findings(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, HAR, "--format", "json")
    report = json.loads(out)
    known = tmp_path / "baseline.json"
    # accept everything but the mobile in the response
    report["findings"] = [f for f in report["findings"]
                          if not (f["entity"] == "CN_MOBILE" and f["direction"] == "response")]
    known.write_text(json.dumps(report))
    code, out = run(capsys, HAR, "--baseline", str(known))
    assert code == 1
    assert out.splitlines()[-1] == ("1 finding(s) of unprotected personal data: CN_MOBILE 1 "
                                    "(5 more accepted by the baseline)")
    code, out = run(capsys, HAR, "--baseline", str(known), "--format", "sarif")
    states = [r["baselineState"] for r in json.loads(out)["runs"][0]["results"]]
    assert sorted(states) == ["new"] + ["unchanged"] * 5
    report["findings"] = json.loads(run(capsys, HAR, "--format", "json")[1])["findings"]
    known.write_text(json.dumps(report))
    assert run(capsys, HAR, "--baseline", str(known))[0] == 0


def test_fail_on_limits_which_entity_types_fail(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, HAR, "--fail-on", "CN_MOBILE")[0] == 1
    assert run(capsys, HAR, "--fail-on", "CREDIT_CARD, EMAIL_ADDRESS")[0] == 0
    code, out = run(capsys, HAR, "--fail-on", "EMAIL_ADDRESS")
    assert code == 0 and "6 finding(s)" in out  # still reported, just not failing


def test_an_unreadable_baseline_is_exit_2(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{}")
    assert main(["scan", HAR, "--baseline", str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err
