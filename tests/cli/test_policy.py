"""`pii-gateway policy check|explain|test` from the command line: exit codes, the
JUnit report, failures that name fields and decisions, never values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gateway.cli import main
from tests.conftest import single_route_policy

POLICY = single_route_policy("http://127.0.0.1:9", "{name: api, match: {path_prefix: /}}")
CASES = """cases:
  - {name: masked, route: /x, body: {"idNo": "11010519491231002X"},
     expect: {fields: {idNo: masked}}}
  - {name: wrongly kept, route: /x, body: {"idNo": "11010519491231002X"},
     expect: {fields: {idNo: kept}}}
"""


def files(tmp: Path, cases: str = CASES) -> Path:
    (tmp / "p.yaml").write_text(POLICY)
    (tmp / "p.tests.yaml").write_text(cases)
    return tmp


def test_policy_test_exit_codes_and_junit(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    assert main(["policy", "test", str(files(tmp_path)), "--junit", str(report)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  wrongly kept" in out and "idNo: expected kept, got masked" in out
    assert "11010519491231002X" not in out
    assert out.splitlines()[-1] == "1 failed, 1 passed"
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@name='wrongly kept']/failure")
    assert failure is not None and failure.get("message") == "idNo: expected kept, got masked"
    assert "11010519491231002X" not in report.read_text()


def test_passing_cases_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    passing = CASES.split("  - {name: wrongly")[0]
    assert main(["policy", "test", str(files(tmp_path, passing) / "p.tests.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 failed, 1 passed"


def test_a_broken_test_file_or_policy_is_exit_2(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    folder = files(tmp_path, "cases: nope")
    assert main(["policy", "test", str(folder), "--junit", str(report)]) == 2
    assert "p.tests.yaml" in capsys.readouterr().err
    assert ET.parse(report).getroot().find("testsuite/testcase/error") is not None
    (folder / "p.tests.yaml").write_text(CASES)
    (folder / "p.yaml").write_text("version: 1\nroutes: nope\n")
    assert main(["policy", "test", str(folder)]) == 2
    assert main(["policy", "test", str(tmp_path / "empty-dir-that-is-missing")]) == 2
