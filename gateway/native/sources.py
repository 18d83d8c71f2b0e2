"""The native core's source files and their digest (stdlib only: setup.py
loads this file on its own to embed the digest in the build)."""

from __future__ import annotations

import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("_core.pyx", "chars.pxi", "spans.pxi", "words.pxi", "context.pxi", "numbers.pxi",
           "phones.pxi", "documents.pxi", "netaddr.pxi", "names.pxi", "cues.pxi", "kinds.pxi",
           "scan.pxi", "jsonstr.pxi", "json.pxi", "masks.pxi", "generalize.pxi", "paths.pxi",
           "decision.pxi", "jsondoc.pxi", "columns.pxi", "prose.pxi", "protect.pxi", "leaves.pxi",
           "blake2b.pxi", "reveals.pxi", "limits.pxi",
           "remote.pxi")


def source_digest(folder: Path = HERE) -> str | None:
    """sha256 over the sources present, or None when none are (an install
    that ships only the built module)."""
    digest = hashlib.sha256()
    found = False
    for name in SOURCES:
        path = folder / name
        if path.exists():
            found = True
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16] if found else None
