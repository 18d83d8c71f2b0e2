"""`policy explain` on fixture bodies."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.policy.explain import explain

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "policies" / "default.yaml"
SAMPLE = json.dumps({"items": [{"name": "张三", "mobile": "13800138000",
                                "idNo": "11010519491231002X", "password": "hunter2"}]},
                    ensure_ascii=False).encode()


def test_decisions_per_role_with_masked_previews() -> None:
    result = explain(DEFAULT, "/api/v1/borrowers", "GET", "response", "collections", SAMPLE,
                     "application/json")
    assert result.route == "lending-api" and result.blocked is None
    decisions = result.decisions
    rows = {(d.path, d.entity, d.rule, d.operator) for d in decisions}
    assert ("items[0].password", "FIELD", "c3-never-in-responses", "redact") in rows
    assert ("items[0].mobile", "CN_MOBILE", "collections-mobiles", "mask") in rows
    assert ("items[0].idNo", "CN_RESIDENT_ID", "collections-rest", "redact") in rows
    assert ("items[0].name", "PERSON_NAME", "collections-names", "keep") in rows
    assert all("13800138000" not in d.preview and "hunter2" not in d.preview for d in decisions)


def test_cli_never_prints_values(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SAMPLE)))
    code = main(["policy", "explain", "--policy", str(DEFAULT), "--route", "/api/v1/x",
                 "--role", "risk_engine"])
    out = capsys.readouterr().out
    assert code == 0
    assert "risk-engine-sees-c2" in out and "keep" in out
    for value in ("13800138000", "11010519491231002X", "hunter2", "张三"):
        assert value not in out


def test_block_is_reported(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\nupstreams: {default: {}}\nroutes: [{name: a}]\nactions:\n"
                      "  rules: [{name: c3, fields: ['**.cvv'], operator: block}]\n",
                      encoding="utf-8")
    result = explain(policy, "/x", "POST", "request", "anonymous", b'{"cvv": "123"}',
                     "application/json")
    assert result.blocked == "blocked (403): FIELD in field cvv"


BORROWER = json.dumps({"items": [{"name": "张三", "birthDate": "1996-01-27", "gender": "女",
                                  "bankName": "中国银行", "monthlyIncome": 28000,
                                  "kyc": {"idIssuer": "湖北省武汉市武昌区公安局"}}]},
                      ensure_ascii=False).encode()


def test_every_field_shows_its_data_class(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    result = explain(DEFAULT, "/api/v1/borrowers", "GET", "response", "anonymous", BORROWER,
                     "application/json")
    assert result.classes == {
        "items[*].name": "C2 identity/person_name", "items[*].birthDate": "C2 identity/birth_date",
        "items[*].gender": "C2 identity/gender", "items[*].monthlyIncome": "C2 financial/income",
        "items[*].kyc.idIssuer": "C2 identity/id_issuer"}  # bankName is not a person's name
    rows = {(d.path, d.rule, d.operator, d.data_class) for d in result.decisions}
    assert ("items[0].birthDate", "quasi-identifiers-generalized", "generalize",
            "C2 identity/birth_date") in rows
    assert ("items[0].name", "default", "mask", "C2 identity/person_name") in rows
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BORROWER)))
    assert main(["policy", "explain", "--policy", str(DEFAULT), "--route", "/api/v1/x"]) == 0
    out = capsys.readouterr().out
    assert "items[*].kyc.idIssuer" in out and "C2 identity/id_issuer" in out
    for value in ("1996-01-27", "28000", "武昌区", "张三"):
        assert value not in out


def test_bad_input_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"a": 1, "a": 2}')))
    assert main(["policy", "explain", "--policy", str(DEFAULT), "--route", "/x"]) == 2
    assert "duplicate" in capsys.readouterr().err
