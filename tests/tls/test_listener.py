"""A rotating listener context, with real handshakes on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from cryptography import x509

from gateway.tls.context import ListenerFiles, listener_context
from gateway.tls.listener import RotatingContext
from tests.tls.pki import Pki, make_pki


async def _handshake(port: int, client: ssl.SSLContext) -> tuple[int, bytes]:
    """The serial of the server's certificate, and what the server said."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    data = await reader.read()
    writer.close()
    return x509.load_der_x509_certificate(der).serial_number, data


async def _serve(ctx: ssl.SSLContext) -> asyncio.Server:
    async def hello(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("ssl_object").getpeercert()
        writer.write(b"cert" if peer else b"none")
        await writer.drain()
        writer.close()

    return await asyncio.start_server(hello, "127.0.0.1", 0, ssl=ctx)


async def test_new_handshakes_get_the_rotated_certificate(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    files = ListenerFiles(pki.path("server"), pki.path("server", "key"))
    rotating = RotatingContext(listener_context(files))
    server = await _serve(rotating.listening)
    port = server.sockets[0].getsockname()[1]
    try:
        before, _ = await _handshake(port, pki.client(""))
        assert before == pki.server.cert.serial_number
        fresh = pki.rotate_server()
        assert rotating.update(listener_context(files))
        after, _ = await _handshake(port, pki.client(""))
        assert after == fresh.cert.serial_number != before
    finally:
        server.close()


async def test_a_rotated_client_ca_is_the_one_that_verifies(tmp_path: Path) -> None:
    """The CA store comes from the newest context: a certificate from the CA
    that was replaced is refused, one from the new CA accepted."""
    old, new = make_pki(tmp_path / "old"), make_pki(tmp_path / "new")
    def files(p: Pki) -> ListenerFiles:
        return ListenerFiles(p.path("server"), p.path("server", "key"),
                             client_ca=p.path("ca"), client_auth="required")
    rotating = RotatingContext(listener_context(files(old)))
    server = await _serve(rotating.listening)
    port = server.sockets[0].getsockname()[1]
    try:
        assert (await _handshake(port, old.client("partner-a")))[1] == b"cert"
        assert rotating.update(listener_context(files(new)))
        assert (await _handshake(port, new.client("partner-a")))[1] == b"cert"
        # TLS 1.3: the client learns of the refusal on its first read
        _, said = await _handshake(port, _trusting(new, old, "partner-a"))
        assert said == b""
    finally:
        server.close()


def _trusting(server_pki: Pki, cert_pki: Pki, stem: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=server_pki.path("ca"))
    ctx.load_cert_chain(cert_pki.path(stem), cert_pki.path(stem, "key"))
    return ctx


def test_changing_whether_client_certificates_are_asked_for_needs_a_restart(pki: Pki) -> None:
    plain = ListenerFiles(pki.path("server"), pki.path("server", "key"))
    mutual = ListenerFiles(pki.path("server"), pki.path("server", "key"),
                           client_ca=pki.path("ca"), client_auth="optional")
    rotating = RotatingContext(listener_context(plain))
    first = rotating.current
    assert not rotating.update(listener_context(mutual))
    assert rotating.current is first
