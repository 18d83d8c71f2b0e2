from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.crypto.usage import KeyExhausted, KeyUsage, read_usage
from tests.conftest import log_lines


def test_counts_survive_restarts_and_add_up_across_workers(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    one, two = KeyUsage(path), KeyUsage(path)
    for _ in range(3):
        one.count("enc-a", "encrypt", True)
    two.count("enc-a", "encrypt", True)
    two.count("det-b", "deterministic", False)
    one.flush()
    two.flush()
    assert read_usage(path) == {"enc-a": 4, "det-b": 1}
    one.flush()                        # nothing pending: nothing added twice
    assert read_usage(path)["enc-a"] == 4 and one.total("enc-a") == 4
    assert KeyUsage(path).total("enc-a") == 4


def test_warns_once_then_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = KeyUsage(tmp_path / "u.json", warn_at=2, refuse_at=3)
    for _ in range(3):
        usage.count("enc-a", "encrypt", True)
    with pytest.raises(KeyExhausted):
        usage.count("enc-a", "encrypt", True)
    usage.count("det-b", "deterministic", False)  # AES-SIV keys are not limited
    warnings = [line for line in log_lines(capsys) if line["event"] == "key_usage_high"]
    assert len(warnings) == 1 and warnings[0]["kid"] == "enc-a"
    assert warnings[0]["action"] == "pii-gateway keys rotate --purpose encrypt"


def test_the_limit_holds_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text(json.dumps({"version": 1, "uses": {"enc-a": 2**32 - 1}}))
    usage = KeyUsage(path)
    usage.count("enc-a", "encrypt", True)
    with pytest.raises(KeyExhausted):
        usage.count("enc-a", "encrypt", True)


def test_an_unwritable_file_is_reported_and_counting_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    usage = KeyUsage(blocker / "u.json")  # a file where a directory should be
    usage.count("enc-a", "encrypt", True)
    usage.flush()
    usage.flush()
    assert usage.unsaved and usage.total("enc-a") == 1
    assert [line["event"] for line in log_lines(capsys)] == ["key_usage_unsaved"]


def test_child_uses_are_taken_and_added(tmp_path: Path) -> None:
    child, parent = KeyUsage(None), KeyUsage(tmp_path / "u.json")
    child.count("enc-a", "encrypt", True)
    parent.add(child.take())
    assert child.take() == {} and parent.total("enc-a") == 1
