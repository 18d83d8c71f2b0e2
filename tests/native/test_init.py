"""PII_GATEWAY_NATIVE chooses whether a process uses the compiled core."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.native import sources

PROBE = "from gateway.native import STATUS, core; print(core is not None, STATUS)"


def _probe(mode: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PII_GATEWAY_NATIVE": mode, **(extra or {})}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_off_means_the_python_path() -> None:
    done = _probe("off")
    assert done.returncode == 0 and done.stdout.startswith("False off")


def test_auto_and_require_agree_when_the_core_is_built() -> None:
    auto = _probe("auto")
    if auto.stdout.startswith("False"):  # no compiler where this runs: require must refuse
        done = _probe("require")
        assert done.returncode != 0 and "NativeUnavailable" in done.stderr
        return
    assert auto.stdout.strip() == "True compiled"
    assert _probe("require").stdout.strip() == "True compiled"


def test_a_stale_build_is_not_used(tmp_path: Path) -> None:
    """A source changed since the build: the digest differs and auto falls back."""
    folder = Path(sources.__file__).parent
    digest = sources.source_digest(folder)
    copy = tmp_path / "native"
    copy.mkdir()
    for name in sources.SOURCES:
        if (folder / name).exists():
            (copy / name).write_bytes((folder / name).read_bytes())
    assert sources.source_digest(copy) == digest
    (copy / "scan.pxi").write_bytes((copy / "scan.pxi").read_bytes() + b"\n# changed\n")
    assert sources.source_digest(copy) != digest
    assert sources.source_digest(tmp_path / "empty") is None


def test_every_source_file_is_in_the_digest() -> None:
    """A .pxi left out of SOURCES could change without the build counting as stale."""
    folder = Path(sources.__file__).parent
    on_disk = {p.name for p in folder.iterdir() if p.suffix in (".pyx", ".pxi")}
    assert on_disk == set(sources.SOURCES)


def test_degraded_names_why_only_when_nobody_chose_the_python_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gateway.native as native

    monkeypatch.setattr(native, "core", None)
    monkeypatch.setattr(native, "STATUS", "stale (its sources changed since it was built)")
    assert native.degraded() == "stale (its sources changed since it was built)"
    monkeypatch.setattr(native, "STATUS", "off (PII_GATEWAY_NATIVE)")
    assert native.degraded() is None
    monkeypatch.setattr(native, "core", object())
    monkeypatch.setattr(native, "STATUS", "compiled")
    assert native.degraded() is None
