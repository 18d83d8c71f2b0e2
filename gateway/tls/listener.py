"""A TLS listener whose certificate can rotate under it.

The listening socket keeps one SSL context for its whole life. Each handshake
is switched to the newest compiled context in the server-name callback
(OpenSSL's SSL_set_SSL_CTX): the certificate chain and the client CA store
come from the new context, so a reload rotates them without closing the
listener, and connections already open keep the certificate they started
with. What stays fixed until a restart: whether the listener speaks TLS at
all, and whether it asks for client certificates (OpenSSL keeps the first
context's verify mode for the connection).
"""

from __future__ import annotations

import ssl


class RotatingContext:
    def __init__(self, first: ssl.SSLContext) -> None:
        self.current = first
        self.listening = first
        first.sni_callback = self._switch

    def _switch(self, connection: ssl.SSLObject, server_name: str | None,
                context: ssl.SSLContext) -> None:
        current = self.current
        if current is not context:
            connection.context = current

    def update(self, new: ssl.SSLContext) -> bool:
        """Serve `new` to the next handshakes. False (and nothing changes)
        when it asks for client certificates differently: that needs a restart."""
        if new.verify_mode != self.listening.verify_mode:
            return False
        self.current = new
        return True
