"""What can go wrong talking to an upstream. Messages are fixed strings: no
header, URL or body byte ever ends up in one. Timeouts are `TimeoutError`."""

from __future__ import annotations


class UpstreamError(Exception):
    """The exchange with the upstream failed."""


class ConnectFailed(UpstreamError):
    def __init__(self) -> None:
        super().__init__("could not connect to the upstream")


class CertificateInvalid(UpstreamError):
    def __init__(self) -> None:
        super().__init__("the upstream's certificate could not be verified")


class TlsFailed(UpstreamError):
    def __init__(self) -> None:
        super().__init__("the TLS handshake with the upstream failed")


class ConnectionLost(UpstreamError):
    def __init__(self) -> None:
        super().__init__("the upstream closed the connection before the response was complete")


class BadResponse(UpstreamError):
    def __init__(self) -> None:
        super().__init__("the upstream's response is not valid HTTP/1.1")


class RequestBodyFailed(UpstreamError):
    def __init__(self) -> None:
        super().__init__("the request body could not be read from the client")
