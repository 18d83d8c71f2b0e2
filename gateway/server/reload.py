"""Hot reload: on SIGHUP or when the file changes. The new policy is fully
validated and compiled, upstream sessions are brought in step, then the holder
is swapped in one assignment. An invalid file is logged and the old policy stays.
A change of the key store (a rotation) reloads too: the store is part of the
compiled policy and of its version."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from gateway.audit.records import keys_record, reload_record
from gateway.obs.logging import get_logger
from gateway.policy.compiled import compile_file
from gateway.policy.loader import PolicyError
from gateway.state import GatewayState

log = get_logger("gateway.policy")


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class PolicyReloader:
    def __init__(self, path: str | Path, state: GatewayState, upstream_url: str | None) -> None:
        self.path = Path(path)
        self.state = state
        self.upstream_url = upstream_url
        self._stamp = self._stat()
        self._lock = asyncio.Lock()

    def _stat(self) -> tuple[tuple[int, int, int] | None, ...]:
        """The policy file's stamp and those of the files it uses (key store)."""
        paths = (self.path, *self.state.policies.current.watched_files)
        return tuple(_stamp(p) for p in paths)

    async def reload(self, reason: str) -> bool:
        async with self._lock:
            self._stamp = self._stat()
            old = self.state.policies.current
            try:
                new = compile_file(self.path, self.upstream_url)
            except PolicyError as exc:
                log.error("policy_reload_rejected", reason=reason, kept_version=old.version,
                          errors=[str(i) for i in exc.issues])
                await self._audit(reload_record("rejected", "-", old.version, reason))
                return False
            if new.version == old.version:
                return True
            if (new.server.listen, new.server.admin) != (old.server.listen, old.server.admin):
                log.warning("policy_listen_change_needs_restart")
            await self.state.pool.sync(new, retire_after=old.server.grace_period + 60)
            self.state.limiter.sync(new.limits)
            self.state.policies.current = new
            log.info("policy_reloaded", reason=reason, version=new.version,
                     previous_version=old.version)
            await self._audit(reload_record("accepted", new.version, old.version, reason))
            if new.keys is not None and (old.keys is None or old.keys.digest != new.keys.digest):
                await self._audit(keys_record(new.version, new.keys))
            return True

    async def _audit(self, record: dict[str, object]) -> None:
        if self.state.audit is not None:
            await self.state.audit.emit_async(record)

    async def watch(self, interval: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval)
            if self._stat() != self._stamp:
                await self.reload("file_changed")
