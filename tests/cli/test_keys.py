from __future__ import annotations

import io
import json
import stat
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.envelope import open_sealed, seal
from gateway.crypto.keystore import KeyStore, read_master
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


DECRYPTING_POLICY = """
version: 1
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: api}]
keys: {store: ks.json, master_key_file: m.key}
actions:
  rules: [{name: d, fields: [x], operator: decrypt}]
"""


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
    current = next(line.split()[0] for line in out.splitlines()
                   if "encrypt" in line and "current" in line)
    assert main(["keys", "destroy", current, "--force", *opts]) == 1   # never the current key
    decrypting = tmp_path / "policy.yaml"
    decrypting.write_text(DECRYPTING_POLICY)
    policy = ["--policy", str(decrypting)]
    assert main(["keys", "destroy", retired, *opts, *policy]) == 1      # the policy decrypts
    assert "may still decrypt" in capsys.readouterr().err
    assert main(["keys", "destroy", retired, "--force", *opts, *policy]) == 0
    new_master = str(tmp_path / "m2.key")
    assert main(["keys", "new-master-key", new_master]) == 0
    assert main(["keys", "rewrap", "--new-master-key-file", new_master, *opts]) == 0
    assert main(["keys", "list", *opts]) == 1                   # the old master no longer opens
    assert "does not open" in capsys.readouterr().err
    assert main(["keys", "list", "--store", store, "--master-key-file", new_master]) == 0
    key_hex = Path(master).read_text().strip()
    assert key_hex not in capsys.readouterr().out


def test_destroy_without_a_decrypting_policy_needs_no_force(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no policies/ here: nothing decrypts with this store
    opts = ["--store", "ks.json", "--master-key-file", "m.key"]
    assert main(["keys", "new-master-key", "m.key"]) == 0
    assert main(["keys", "init", *opts]) == 0
    assert main(["keys", "init", "--if-missing", *opts]) == 0
    store = KeyStore.open(tmp_path / "ks.json", read_master(tmp_path / "m.key"))
    old = store.current("deterministic")[0]
    store.rotate("deterministic")
    assert main(["keys", "destroy", old, *opts]) == 0
    audit = store.current("audit")[0]
    store.rotate("audit")
    assert main(["keys", "destroy", audit, *opts]) == 1  # audit chains need it: --force only


def test_dev_keys_are_created_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "dev", "--dir", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert said.count("(development only)") == 4 and "dev-tls (development only)" in said
    before = (tmp_path / "keystore.json").read_bytes()
    assert main(["keys", "dev", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "" and (tmp_path / "keystore.json").read_bytes() == before


def test_reencrypt_moves_values_to_the_current_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ensure_dev_keys(tmp_path)
    opts = ["--store", str(tmp_path / "keystore.json"), "--master-key-file",
            str(tmp_path / "master.key")]
    store = KeyStore.open(tmp_path / "keystore.json", read_master(tmp_path / "master.key"))
    kid, key = store.current("encrypt")
    context = ("lending", "applicant.idNo", "A1")
    token = seal(key, kid, "11010519491231002X", context)
    lines = [json.dumps({"value": token, "data_class": "lending", "field": "applicant.idNo",
                         "record": "A1", "row": 7}),
             json.dumps({"value": token, "data_class": "lending", "field": "applicant.bankCard",
                         "record": "A1"}),
             "not json"]
    new = store.rotate("encrypt")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["keys", "reencrypt", *opts]) == 1   # one value does not open, one line is bad
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert len(out) == 3 and out[0]["row"] == 7 and "error" not in out[0]
    assert out[0]["value"].startswith(f"pgw1.{new.kid}.")
    assert open_sealed(out[0]["value"], lambda k: store.get(k), context) == "11010519491231002X"
    assert out[1] == {**json.loads(lines[1]), "error": "undecryptable"}
    assert out[2]["line"] == 3 and out[2]["input"] == "not json"
    assert "re-encrypted 1, undecryptable 1, malformed lines 1" in captured.err
    assert "11010519491231002X" not in captured.out + captured.err
    assert json.loads((tmp_path / "usage.json").read_text())["uses"] == {new.kid: 1}
