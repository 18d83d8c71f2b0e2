"""audit verify names the first place of every kind of tampering."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.audit.verify import verify
from tests.audit.test_writer import key_for, write


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    write(tmp_path, 10)
    (path,) = tmp_path.glob("*.jsonl")
    return path


def check(path: Path, lines: list[str], allow_open: bool = False) -> tuple[str, str]:
    path.write_text("\n".join(lines) + "\n")
    (problem,) = verify([path], key_for, allow_open)[1]
    return problem.kind, problem.where.rsplit(":", 1)[1]


def test_each_kind_of_tampering(trail: Path) -> None:
    lines = trail.read_text().splitlines()
    modified = list(lines)
    modified[4] = modified[4].replace('"count":3', '"count":4')
    assert modified[4] != lines[4]
    assert check(trail, modified) == ("modified", "5")
    assert check(trail, lines[:4] + lines[5:]) == ("deleted", "5")
    assert check(trail, [*lines[:5], lines[3], *lines[5:]]) == ("inserted", "6")
    assert check(trail, [*lines[:4], lines[5], lines[4], *lines[6:]]) == ("reordered", "5")
    assert check(trail, lines[:-3]) == ("truncated", str(len(lines) - 3))
    assert check(trail, [*lines[:6], lines[6][:40], *lines[7:]]) == ("modified", "7")
    path = trail
    path.write_text("\n".join(lines[:-3]) + "\n")
    assert verify([path], key_for, allow_open=True)[1] == []   # a live file, accepted


def test_another_key_is_an_unknown_key(trail: Path) -> None:
    (problem,) = verify([trail], lambda kid: None)[1]
    assert problem.kind == "unknown key"
    (problem,) = verify([trail], lambda kid: b"x" * 32)[1]
    assert problem.kind == "modified"                  # a wrong key cannot forge the chain
