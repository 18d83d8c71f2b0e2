"""`pii-gateway scan` on fixture captures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.detect import default_detector
from gateway.detect.capture import read_messages, scan

DATA = Path(__file__).resolve().parents[1] / "data"


def test_har_findings_by_path_direction_field_and_entity() -> None:
    found, skipped = scan(read_messages(DATA / "capture.har"), default_detector())
    assert skipped == {}
    assert found == {
        ("GET /api/v1/borrowers/*", "request", "query:idNo", "CN_RESIDENT_ID"): 1,
        ("GET /api/v1/borrowers/*", "response", "body:items[0].name", "PERSON_NAME"): 1,
        ("GET /api/v1/borrowers/*", "response", "body:items[0].mobile", "CN_MOBILE"): 1,
        ("GET /api/v1/borrowers/*", "response", "body:items[0].card", "CN_BANK_CARD"): 1,
        ("POST /api/v1/notes", "request", "body:$", "PERSON_NAME"): 1,
        ("POST /api/v1/notes", "request", "body:$", "CN_MOBILE"): 1,
    }


def test_exit_codes_and_no_values_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(DATA / "capture.har")]) == 1
    out = capsys.readouterr().out
    assert "CN_MOBILE" in out and "13800138000" not in out and "张三" not in out
    assert main(["scan", str(DATA / "clean.jsonl")]) == 0
    assert "0 finding(s)" in capsys.readouterr().out


def test_jsonl_with_encoded_bodies_and_uninspectable_ones(tmp_path: Path) -> None:
    import base64
    body = gzip.compress(json.dumps({"mobile": "13800138000"}).encode())
    lines = [
        {"method": "GET", "url": "/a", "response": {
            "headers": {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            "body_base64": base64.b64encode(body).decode()}},
        {"method": "GET", "url": "/b", "response": {
            "headers": {"Content-Type": "image/png"}, "body_base64": "iVBORw0KGgo="}},
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    found, skipped = scan(read_messages(path), default_detector())
    assert found == {("GET /a", "response", "body:mobile", "CN_MOBILE"): 1}
    assert skipped == {("GET /b", "response", "unsupported_media_type"): 1}


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    assert main(["scan", str(path)]) == 2


def test_masked_values_are_not_findings_but_full_ones_beside_them_are() -> None:
    from gateway.codecs.registry import decode_body
    from gateway.detect.capture import findings_in

    body = json.dumps({"address": "江苏省南京市鼓楼区*************", "email": "u****@example.cn",
                       "mobile": "138****8000",
                       "note": "手机138****8000，身份证11010519491231002X"}, ensure_ascii=False)
    found = list(findings_in(decode_body(body.encode(), "application/json"), default_detector()))
    assert found == [(("note",), "CN_RESIDENT_ID")]
