from __future__ import annotations

import io
import stat
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.protect.roles import api_key_digest


def test_hash_key_is_created_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "hash.key"
    assert main(["keys", "hash-key", str(path)]) == 0
    key = path.read_text()
    assert len(key.strip()) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert main(["keys", "hash-key", str(path)]) == 1
    assert main(["keys", "hash-key", str(path), "--if-missing"]) == 0
    assert path.read_text() == key


def test_api_key_hash_reads_stdin(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret-key\n"))
    assert main(["keys", "api-key-hash", "--salt", "pepper-salt"]) == 0
    assert capsys.readouterr().out.strip() == api_key_digest("pepper-salt", "secret-key")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["keys", "api-key-hash", "--salt", "pepper-salt"]) == 2
