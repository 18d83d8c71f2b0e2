"""SSL contexts built from PEM files, once, when a policy compiles.

A listener context presents a certificate chain and, for mutual TLS, asks for
(or requires) a client certificate issued by the policy's client CA. An
upstream context verifies the upstream against the system store or a pinned
CA, may present a client certificate, and never skips verification unless the
policy says `insecure_skip_verify: true` (which logs a warning at every load).
Protocol versions start at TLS 1.2; ciphers are the `ssl` module's secure
defaults. Errors are `TlsError` with a message naming the file, never its
contents.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

VERSIONS = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}
CLIENT_AUTH = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL,
               "required": ssl.CERT_REQUIRED}


class TlsError(ValueError):
    """A certificate, key or CA file cannot be used (the message names the file only)."""


@dataclass(frozen=True, slots=True)
class ListenerFiles:
    cert: Path
    key: Path
    min_version: str = "TLSv1.2"
    client_ca: Path | None = None
    client_auth: str = "none"


@dataclass(frozen=True, slots=True)
class UpstreamFiles:
    ca: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    min_version: str = "TLSv1.2"
    insecure_skip_verify: bool = False


def files_digest(paths: Iterable[Path | None]) -> str:
    """What the files hold, as a short digest: a rotated certificate is a new
    policy version (so a reload swaps it in)."""
    h = hashlib.sha256()
    for path in paths:
        if path is None:
            continue
        try:
            h.update(path.read_bytes())
        except OSError as exc:
            raise TlsError(f"cannot read {path}: {exc.strerror}") from None
        h.update(b"\0")
    return h.hexdigest()[:12]


def _load_chain(ctx: ssl.SSLContext, cert: Path, key: Path) -> None:
    for path in (cert, key):
        if not path.is_file():
            raise TlsError(f"cannot read {path}: no such file")
    try:
        ctx.load_cert_chain(cert, key, password=_no_password)
    except ssl.SSLError as exc:
        reason = "the key does not match the certificate" if "KEY_VALUES_MISMATCH" in str(
            exc) else f"not a PEM certificate chain and unencrypted private key ({exc.reason})"
        raise TlsError(f"{cert} / {key}: {reason}") from None
    except TypeError:  # the password callback returned nothing: an encrypted key
        raise TlsError(f"{key}: encrypted private keys are not supported") from None


def _no_password() -> str:
    raise TypeError("encrypted key")


def _load_ca(ctx: ssl.SSLContext, ca: Path) -> None:
    if not ca.is_file():
        raise TlsError(f"cannot read {ca}: no such file")
    try:
        ctx.load_verify_locations(cafile=ca)
    except ssl.SSLError as exc:
        raise TlsError(f"{ca}: not a PEM CA certificate ({exc.reason})") from None


def listener_context(files: ListenerFiles) -> ssl.SSLContext:
    # Not create_default_context: that trusts the system's CAs for client
    # certificates too, and any public CA's customer would be let in.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = VERSIONS[files.min_version]
    _load_chain(ctx, files.cert, files.key)
    if files.client_ca is not None:
        _load_ca(ctx, files.client_ca)
    ctx.verify_mode = CLIENT_AUTH[files.client_auth]
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def upstream_context(files: UpstreamFiles) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
    ctx.minimum_version = VERSIONS[files.min_version]
    if files.ca is not None:
        _load_ca(ctx, files.ca)  # pinned: only this CA
    else:
        ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if files.client_cert is not None and files.client_key is not None:
        _load_chain(ctx, files.client_cert, files.client_key)
    if files.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
