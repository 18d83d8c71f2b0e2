"""Honeytokens in a policy: keyed digests only, checked against the key store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.crypto.devkeys import ensure_dev_keys
from gateway.policy.compiled import compile_file
from gateway.policy.loader import PolicyError
from tests.conftest import single_route_policy

ID = "11010519491231002X"


def digest_of(tmp: Path, value: str, entity: str, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(value + "\n"))
    assert main(["keys", "honeytoken", "--entity", entity, "--store",
                 str(tmp / "k/keystore.json"), "--master-key-file",
                 str(tmp / "k/master.key")]) == 0
    return capsys.readouterr().out.strip()


def policy(tmp: Path, tokens: str) -> Path:
    path = tmp / "p.yaml"
    path.write_text(single_route_policy("http://127.0.0.1:9", "{name: api}")
                    + "keys: {store: k/keystore.json, master_key_file: k/master.key}\n"
                    + f"honeytokens: {{tokens: [{tokens}]}}\n")
    return path


def test_a_served_honeytoken_is_recognized_written_any_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ensure_dev_keys(tmp_path / "k")
    digest = digest_of(tmp_path, ID, "CN_RESIDENT_ID", monkeypatch, capsys)
    _, _, hexed = digest.partition(":")
    assert len(hexed) == 32 and ID not in digest
    compiled = compile_file(policy(tmp_path, f"{{entity: CN_RESIDENT_ID, digest: '{digest}'}}"))
    assert compiled.honeytokens is not None
    assert ID not in repr(compiled.honeytokens)
    served = compiled.honeytokens.served
    assert served({"CN_RESIDENT_ID": {"110105 19491231 002x"}}) == "CN_RESIDENT_ID"  # normalized
    assert served({"CN_RESIDENT_ID": {"110105194912310021"}, "CN_MOBILE": {ID}}) is None
    assert served({}) is None


def test_honeytokens_need_the_key_store_and_a_known_key(tmp_path: Path) -> None:
    ensure_dev_keys(tmp_path / "k")
    token = "{entity: CN_MOBILE, digest: 'hmac-0000:" + "0" * 32 + "'}"
    with pytest.raises(PolicyError, match="no hmac key hmac-0000"):
        compile_file(policy(tmp_path, token))
    path = policy(tmp_path, token)
    path.write_text(path.read_text().replace(
        "keys: {store: k/keystore.json, master_key_file: k/master.key}\n", ""))
    with pytest.raises(PolicyError, match="fill `keys:`"):
        compile_file(path)
    with pytest.raises(PolicyError, match=r"honeytokens\.tokens"):
        compile_file(policy(tmp_path, "{entity: CN_MOBILE, digest: 13800138000}"))
