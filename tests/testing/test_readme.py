"""The README's "In your test suite" example, run as a user would run it: its
three files in a fresh directory (with the repository's policies and
development keys), in a separate pytest process."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[2]


def example_files() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## In your test suite", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:ini|python)\n# ([\w.]+)[^\n]*\n(.*?)```", section, re.S)
    return {name: body for name, body in blocks}


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    files = example_files()
    assert set(files) == {"pytest.ini", "conftest.py", "test_borrowers.py"}
    for name, body in files.items():
        (pytester.path / name).write_text(body, encoding="utf-8")
    shutil.copytree(ROOT / "policies", pytester.path / "policies")
    shutil.copytree(ROOT / "keys", pytester.path / "keys")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
