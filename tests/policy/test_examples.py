"""Every bundled policy loads and compiles (with a freshly generated hash key)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.keycmd import write_hash_key
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import load_policy_file

ROOT = Path(__file__).resolve().parents[2]
POLICIES = sorted(p.relative_to(ROOT) for p in (ROOT / "policies").rglob("*.yaml"))


@pytest.mark.parametrize("relative", POLICIES, ids=str)
def test_bundled_policy_compiles(tmp_path: Path, relative: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    write_hash_key(tmp_path / "keys" / "hash.key")
    policy = compile_policy(load_policy_file(tmp_path / relative),
                            upstream_url="http://127.0.0.1:9")
    assert policy.routes


def test_there_are_examples_for_each_audience() -> None:
    names = {p.name for p in POLICIES}
    assert {"default.yaml", "partner-api.yaml", "collections-console.yaml",
            "risk-engine.yaml"} <= names
