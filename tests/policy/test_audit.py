from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.crypto.devkeys import ensure_dev_keys
from gateway.policy.audit import AuditModel
from gateway.policy.compiled import compile_policy
from gateway.policy.loader import PolicyError, load_policy_file

POLICY = """version: 1
upstreams: {default: {url: "http://127.0.0.1:9"}}
routes: [{name: api}]
"""


def test_a_file_sink_needs_a_directory() -> None:
    with pytest.raises(ValidationError, match="needs a directory"):
        AuditModel.model_validate({"sink": "file"})
    with pytest.raises(ValidationError, match="on_full"):
        AuditModel.model_validate({"on_full": "drop"})
    assert AuditModel().sink == "stdout"


def test_the_audit_trail_needs_the_key_store(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY + "audit: {}\n")
    with pytest.raises(PolicyError, match="audit: the audit trail is chained"):
        compile_policy(load_policy_file(path))
    ensure_dev_keys(tmp_path / "k")
    path.write_text(POLICY + "keys: {store: k/keystore.json, master_key_file: k/master.key}\n"
                    "audit: {sink: file, directory: trail, max_bytes: 1MiB}\n")
    audit = compile_policy(load_policy_file(path)).audit
    assert audit is not None and audit.directory == tmp_path / "trail"
    assert audit.max_bytes == 1024 * 1024
