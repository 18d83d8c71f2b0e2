"""Very large bodies are inspected in a separate process, off the GIL.

A worker thread keeps the event loop running but shares the GIL: on the
pure-Python path, JSON parsing and detection of a 5 MB body stall other
requests for 100 ms and more. Bodies over the process limit go to a small
process pool instead (`limits`: the native core parses without the GIL and
lets go of it every 64 KB, so its bodies stay on a thread much longer). A child loads the
policy from its file and checks that the file still has the version the
request was served with; when it cannot (the file changed, or the policy did
not come from a file, as in tests), the parent inspects on a thread, with the
same result. Results cross the process boundary as plain tuples.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from gateway.codecs.base import CodecError
from gateway.detect import DetectionTimeout

# (inline below, thread from, child process from) the first / second size, by path
PYTHON_LIMITS = (128 * 1024, 1024 * 1024)
NATIVE_LIMITS = (256 * 1024, 4 * 1024 * 1024)
PROCESS_BYTES = PYTHON_LIMITS[1]


def limits(native: bool) -> tuple[int, int]:
    """(thread, process) size limits for a body the native core will inspect
    or not."""
    return NATIVE_LIMITS if native else PYTHON_LIMITS
_POLICIES: dict[tuple[str, str], Any] = {}  # child side: (source, version) -> policy or None


@dataclass(frozen=True, slots=True)
class Job:
    source: str
    version: str
    route: str
    method: str
    direction: str
    role: str
    body: bytes
    content_type: str | None
    encoding: str | None
    limit: int
    collect: bool = False


def _policy(source: str, version: str) -> Any:
    key = (source, version)
    if key not in _POLICIES:
        from gateway.policy.compiled import compile_policy
        from gateway.policy.loader import PolicyError, load_policy_file
        try:
            loaded = load_policy_file(source)
            policy = compile_policy(loaded, upstream_url="http://127.0.0.1:1")
        except PolicyError:
            policy = None
        _POLICIES[key] = policy if policy is not None and policy.version == version else None
    return _POLICIES[key]


def run_job(job: Job) -> tuple[Any, ...]:
    """In the child: the same steps as `pipeline._inspect`, as a tuple."""
    from gateway.crypto.usage import KeyExhausted
    from gateway.protect.engine import FieldBlocked
    from gateway.protect.pipeline import FileRefused, inspect_now

    policy = _policy(job.source, job.version)
    if policy is None:
        return ("unavailable",)
    plan = policy.protection.plan(job.route, job.method, job.direction, job.role)
    try:
        done = inspect_now(job.body, job.content_type, job.encoding, job.limit, plan,
                           policy.detector, policy.protection.file_types, job.collect)
    except FieldBlocked as exc:
        return ("blocked", exc.status, exc.path, exc.entity)
    except KeyExhausted as exc:
        return ("exhausted", exc.kid, exc.purpose)
    except FileRefused:
        return ("file",)
    except CodecError as exc:
        return ("codec", exc.code, exc.message)
    except DetectionTimeout:
        return ("timeout",)
    counts = dict(done.outcome.counts) if done.outcome is not None else {}
    values = done.outcome.values if done.outcome is not None else None
    reveals = done.outcome.reveals if done.outcome is not None else None
    # encryptions done here are saved by the parent, which owns the usage file
    uses = policy.keys.usage.take() if policy.keys is not None else {}
    return ("ok", done.body, done.decoded, counts, uses, values, reveals)


class ProcessInspector:
    """The pool, started on first use, one per gateway process."""

    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self.jobs = 0

    async def run(self, job: Job) -> tuple[Any, ...]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"))
        self.jobs += 1
        return await asyncio.get_running_loop().run_in_executor(self._pool, run_job, job)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


