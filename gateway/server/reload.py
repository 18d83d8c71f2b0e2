"""Hot reload: on SIGHUP or when the file changes. The new policy is fully
validated and compiled, upstream sessions are brought in step, then the holder
is swapped in one assignment. An invalid file is logged and the old policy stays.
A change of the key store (a rotation) or of a certificate, key or CA file
reloads too: they are part of the compiled policy and of its version. New
listener certificates serve the next handshakes (gateway/tls/listener.py)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path

from gateway.audit.records import keys_record, reload_record
from gateway.obs.logging import get_logger
from gateway.policy.compiled import CompiledPolicy, compile_file
from gateway.policy.loader import PolicyError
from gateway.state import GatewayState
from gateway.tls.listener import RotatingContext

log = get_logger("gateway.policy")


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class PolicyReloader:
    def __init__(self, path: str | Path, state: GatewayState, upstream_url: str | None,
                 listeners: Mapping[str, RotatingContext] | None = None) -> None:
        self.path = Path(path)
        self.state = state
        self.upstream_url = upstream_url
        self.listeners = listeners or {}
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
            self._rotate(new)
            await self.state.pool.sync(new, retire_after=old.server.grace_period + 60)
            self.state.limiter.sync(new.limits, retire_after=old.server.grace_period + 60)
            self.state.policies.current = new
            log.info("policy_reloaded", reason=reason, version=new.version,
                     previous_version=old.version)
            await self._audit(reload_record("accepted", new.version, old.version, reason))
            if new.keys is not None and (old.keys is None or old.keys.digest != new.keys.digest):
                await self._audit(keys_record(new.version, new.keys))
            return True

    def _rotate(self, new: CompiledPolicy) -> None:
        """New certificates to the listeners' next handshakes. Turning TLS on
        or off, or changing client_auth, takes a restart."""
        for name, ctx in (("tls", new.tls.listener), ("admin_tls", new.tls.admin)):
            rotating = self.listeners.get(name)
            if (rotating is None) != (ctx is None) or (
                    rotating is not None and ctx is not None and not rotating.update(ctx)):
                log.warning("policy_tls_change_needs_restart", setting=f"server.{name}")

    async def _audit(self, record: dict[str, object]) -> None:
        if self.state.audit is not None:
            await self.state.audit.emit_async(record)

    async def watch(self, interval: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval)
            if self._stat() != self._stamp:
                await self.reload("file_changed")
