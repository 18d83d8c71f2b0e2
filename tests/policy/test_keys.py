"""The `keys:` section: key store loading, checks at load, version, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.crypto.keystore import KeyStore, new_master_file, read_master
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import PolicyError, load_policy_file

POLICY = """version: 1
upstreams: {{default: {{url: "http://127.0.0.1:9"}}}}
routes: [{{name: api, data_class: lending}}]
keys: {keys}
actions:
  rules: {rules}
"""
KEYS = "{store: k/keystore.json, master_key_file: k/master.key}"
ENCRYPT = "[{name: e, fields: [idNo], operator: encrypt}]"


def write(tmp_path: Path, keys: str = KEYS, rules: str = ENCRYPT) -> Path:
    ensure_dev_keys(tmp_path / "k")
    path = tmp_path / "p.yaml"
    path.write_text(POLICY.format(keys=keys, rules=rules))
    return path


def errors(path: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        compile_policy(load_policy_file(path))
    return "\n".join(str(i) for i in caught.value.issues)


def test_the_key_store_is_part_of_the_policy_and_its_version(tmp_path: Path) -> None:
    path = write(tmp_path)
    policy = compile_policy(load_policy_file(path))
    assert policy.keys is not None and policy.watched_files == (tmp_path / "k/keystore.json",)
    assert policy.version.startswith(load_policy_file(path).version + ".")
    assert policy.protection.plan("api", "POST", "request", "x").data_class == "lending"
    store = KeyStore.open(tmp_path / "k/keystore.json", read_master(tmp_path / "k/master.key"))
    store.rotate("encrypt")
    assert compile_policy(load_policy_file(path)).version != policy.version


def test_encryption_without_a_key_store_is_refused_at_load(tmp_path: Path) -> None:
    assert "needs the key store" in errors(write(tmp_path, keys="{}"))


def test_a_wrong_master_key_is_a_clear_load_error(tmp_path: Path) -> None:
    path = write(tmp_path)
    (tmp_path / "k/master.key").unlink()
    new_master_file(tmp_path / "k/master.key")
    message = errors(path)
    assert "p.yaml:4 keys: the master key does not open this key store" in message
    assert (tmp_path / "k/master.key").read_text().strip() not in message


def test_decrypt_needs_whole_fields(tmp_path: Path) -> None:
    rules = "[{name: d, entities: [CN_MOBILE], operator: decrypt}]"
    assert "decrypt works on whole fields" in errors(write(tmp_path, rules=rules))
    rules = "[{name: d, fields: [x], entities: [CN_MOBILE], operator: decrypt}]"
    assert "decrypt works on whole fields" in errors(write(tmp_path, rules=rules))


def test_a_filled_section_needs_a_store(tmp_path: Path) -> None:
    assert "store is required" in errors(write(tmp_path, keys="{usage_file: u.json}"))


def test_policy_check_reports_key_problems(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, keys="{store: k/missing.json, master_key_file: k/master.key}")
    assert main(["policy", "check", str(path)]) == 1
    assert "p.yaml:4 keys: no key store at" in capsys.readouterr().err
