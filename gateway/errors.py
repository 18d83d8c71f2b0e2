"""One error tree. Every error knows its status, a stable code and a safe message.

Messages are fixed strings chosen by the gateway: they never carry request or
response content, header values or upstream internals.
"""

from __future__ import annotations


class GatewayError(Exception):
    status: int = 500
    code: str = "internal_error"
    message: str = "the gateway could not process the request"
    close_connection: bool = False
    headers: dict[str, str] = {}  # noqa: RUF012 (never mutated; subclasses set their own)

    def body(self, request_id: str) -> dict[str, str]:
        return {"error": self.code, "message": self.message, "request_id": request_id}


class BadRequest(GatewayError):
    status = 400
    code = "bad_request"
    message = "the request is malformed"
    close_connection = True


class BadPath(GatewayError):
    status = 400
    code = "bad_path"
    message = "the request path is not allowed (encoded slash, backslash, NUL or dot segment)"


class UnsupportedVersion(GatewayError):
    status = 505
    code = "http_version_not_supported"
    message = "only HTTP/1.0 and HTTP/1.1 are accepted"
    close_connection = True


class AmbiguousFraming(GatewayError):
    status = 400
    code = "ambiguous_framing"
    message = "the request framing is ambiguous or not allowed for its HTTP version"
    close_connection = True


class UriTooLong(GatewayError):
    status = 414
    code = "uri_too_long"
    message = "the request line is too long"
    close_connection = True


class HeadersTooLarge(GatewayError):
    status = 431
    code = "headers_too_large"
    message = "the request headers are too large or too many"
    close_connection = True


class NoRoute(GatewayError):
    status = 404
    code = "no_route"
    message = "no route matches this request"


class BodyTooLarge(GatewayError):
    status = 413
    code = "body_too_large"
    message = "the request body exceeds the limit for this route"
    close_connection = True


class BodyTimeout(GatewayError):
    status = 408
    code = "body_timeout"
    message = "the request body was not received in time"
    close_connection = True


class UpstreamUnavailable(GatewayError):
    status = 502
    code = "upstream_unavailable"
    message = "the upstream service could not be reached"


class UpstreamCertificateInvalid(GatewayError):
    status = 502
    code = "upstream_certificate_invalid"
    message = "the upstream's TLS certificate could not be verified"


class UpstreamTlsFailed(GatewayError):
    status = 502
    code = "upstream_tls_failed"
    message = "the TLS handshake with the upstream failed"


class HoneytokenServed(GatewayError):
    """The response carried a honeytoken: someone reads in bulk. The client
    learns nothing more than that it was refused."""

    status = 403
    code = "access_refused"
    message = "the request was refused"


class ClientCertificateRequired(GatewayError):
    status = 403
    code = "client_certificate_required"
    message = "this route needs a client certificate the gateway trusts (mutual TLS)"


class UpstreamTimeout(GatewayError):
    status = 504
    code = "upstream_timeout"
    message = "the upstream service did not answer in time"


class UpstreamBodyTooLarge(GatewayError):
    status = 502
    code = "upstream_body_too_large"
    message = "the upstream response exceeds the inspection limit for this route"


class InternalError(GatewayError):
    pass


class InspectionError(GatewayError):
    """A body on a protected route cannot be inspected, so it does not pass.
    `code` and `message` come from the gateway's own fixed texts."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


class FieldBlocked(GatewayError):
    """The one blocking exception: a `block` operator (or an operator that must
    refuse a value) raises it with the rule's status; the engine adds the field
    path and entity type (`located`), the pipeline the direction (`towards`).
    The message names path and entity (both rendered by the gateway), never
    the value. A blocked response is the upstream's fault: 502."""

    code = "personal_data_blocked"

    def __init__(self, status: int, path: str = "", entity: str = "",
                 direction: str = "request") -> None:
        super().__init__(self.code)
        self.rule_status = status
        self._set(path, entity, direction)

    def located(self, path: str, entity: str) -> FieldBlocked:
        self._set(path, entity, self.direction)
        return self

    def towards(self, direction: str) -> FieldBlocked:
        self._set(self.path, self.entity, direction)
        return self

    def _set(self, path: str, entity: str, direction: str) -> None:
        self.path, self.entity, self.direction = path, entity, direction
        self.status = self.rule_status if direction == "request" else 502
        what = "the request" if direction == "request" else "the upstream response"
        self.message = (f"{what} carries personal data that this route does not allow: "
                        f"{entity} in field {path}")


class RateLimited(GatewayError):
    """429 from a limit, a ban or a detector. `headers` carry Retry-After and
    the IETF RateLimit fields; the message names the rule, never the client."""

    status = 429

    def __init__(self, code: str, message: str, headers: dict[str, str]) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.headers = headers


class LimiterUnavailable(GatewayError):
    status = 503
    code = "rate_limiter_unavailable"
    message = "the rate limiter is unavailable and this route does not run without it"


class PageSizeTooLarge(GatewayError):
    status = 400
    code = "page_size_too_large"

    def __init__(self, maximum: int) -> None:
        super().__init__(maximum)
        self.message = f"page size parameters are limited to {maximum} on this route"
