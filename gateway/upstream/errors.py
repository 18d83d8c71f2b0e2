"""What can go wrong talking to an upstream. Messages are fixed strings, one
per class: no header, URL or body byte ever ends up in one. Timeouts are
`TimeoutError`."""

from __future__ import annotations


class UpstreamError(Exception):
    """The exchange with the upstream failed."""

    message = "the exchange with the upstream failed"

    def __init__(self) -> None:
        super().__init__(self.message)


class ConnectFailed(UpstreamError):
    message = "could not connect to the upstream"


class CertificateInvalid(UpstreamError):
    message = "the upstream's certificate could not be verified"


class TlsFailed(UpstreamError):
    message = "the TLS handshake with the upstream failed"


class ConnectionLost(UpstreamError):
    message = "the upstream closed the connection before the response was complete"


class BadResponse(UpstreamError):
    message = "the upstream's response is not valid HTTP/1.1"


class RequestBodyFailed(UpstreamError):
    message = "the request body could not be read from the client"
