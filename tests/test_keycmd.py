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


def test_key_store_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    master, store = str(tmp_path / "m.key"), str(tmp_path / "ks.json")
    opts = ["--store", store, "--master-key-file", master]
    assert main(["keys", "new-master-key", master]) == 0
    assert main(["keys", "init", *opts]) == 0
    assert main(["keys", "rotate", "--purpose", "encrypt", *opts]) == 0
    capsys.readouterr()
    assert main(["keys", "list", *opts]) == 0
    out = capsys.readouterr().out
    assert out.count("encrypt") == 2 and "retired" in out and "uses=0" in out
    retired = next(line.split()[0] for line in out.splitlines() if "retired" in line)
    assert main(["keys", "destroy", retired, *opts]) == 1       # needs --force
    assert main(["keys", "destroy", retired, "--force", *opts]) == 0
    new_master = str(tmp_path / "m2.key")
    assert main(["keys", "new-master-key", new_master]) == 0
    assert main(["keys", "rewrap", "--new-master-key-file", new_master, *opts]) == 0
    assert main(["keys", "list", *opts]) == 1                   # the old master no longer opens
    assert "does not open" in capsys.readouterr().err
    assert main(["keys", "list", "--store", store, "--master-key-file", new_master]) == 0
    key_hex = Path(master).read_text().strip()
    assert key_hex not in capsys.readouterr().out
