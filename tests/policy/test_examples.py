"""Every bundled policy loads and compiles (with freshly generated development keys)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.policy.cases import policy_files
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import PolicyError, load_policy_file

ROOT = Path(__file__).resolve().parents[2]
POLICIES = [p.relative_to(ROOT) for p in policy_files(ROOT / "policies")]


@pytest.mark.parametrize("relative", POLICIES, ids=str)
def test_bundled_policy_compiles(tmp_path: Path, relative: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    ensure_dev_keys(tmp_path / "keys")
    policy = compile_policy(load_policy_file(tmp_path / relative),
                            upstream_url="http://127.0.0.1:9")
    assert policy.routes


def test_there_are_examples_for_each_audience() -> None:
    names = {p.name for p in POLICIES}
    assert {"default.yaml", "partner-api.yaml", "collections-console.yaml",
            "risk-engine.yaml"} <= names


def test_default_policy_without_keys_says_how_to_make_them(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    with pytest.raises(PolicyError) as caught:
        load_and_compile(tmp_path / "policies" / "default.yaml")
    assert "keys: cannot read the master key file" in str(caught.value.issues[0])


def load_and_compile(path: Path) -> object:
    return compile_policy(load_policy_file(path), upstream_url="http://127.0.0.1:9")
