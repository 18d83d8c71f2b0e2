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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from gateway.cache import BoundedCache
from gateway.protect.engine import Collect
from gateway.protect.inspect import Result, as_result, inspect_now

# (inline below, thread from, child process from) the first / second size, by path
PYTHON_LIMITS = (128 * 1024, 1024 * 1024)
NATIVE_LIMITS = (256 * 1024, 4 * 1024 * 1024)
PROCESS_BYTES = PYTHON_LIMITS[1]


def limits(native: bool) -> tuple[int, int]:
    """(thread, process) size limits for a body the native core will inspect
    or not."""
    return NATIVE_LIMITS if native else PYTHON_LIMITS


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
    collect: Collect = False


# Compiles a policy file if it still has a version, else None (in the child;
# gateway.policy.compiled.compile_file_version, passed down by the process
# state: the protection layer does not know the compiler).
Loader = Callable[[str, str], Any]
# In the child process (a pool worker has no app state): (source, version) ->
# the compiled policy or None; a few versions, as reloads come and go.
_POLICIES: BoundedCache[tuple[str, str], Any] = BoundedCache(4)


def run_job(job: Job, loader: Loader) -> Result:
    """In the child: `inspect_now` on the policy the request was served with."""
    key = (job.source, job.version)
    policy = _POLICIES[key] if key in _POLICIES else _POLICIES.put(
        key, loader(job.source, job.version))
    if policy is None:
        return ("unavailable",)
    plan = policy.protection.plan(job.route, job.method, job.direction, job.role)
    # encryptions done here are saved by the parent, which owns the usage file
    return as_result(
        lambda: inspect_now(job.body, job.content_type, job.encoding, job.limit, plan,
                            policy.detector, policy.protection.file_types, job.collect),
        lambda: policy.keys.usage.take() if policy.keys is not None else {})


class ProcessInspector:
    """The pool, started on first use, one per gateway process."""

    def __init__(self, loader: Loader, workers: int = 1) -> None:
        self._loader = loader
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self.jobs = 0

    async def run(self, job: Job) -> tuple[Any, ...]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"))
        self.jobs += 1
        return await asyncio.get_running_loop().run_in_executor(self._pool, run_job, job,
                                                                 self._loader)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


