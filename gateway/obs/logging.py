"""structlog as a processor chain; stdlib loggers (aiohttp's) routed through it.

Nothing from a request or response reaches a log line: the access line carries
only fields the gateway computed, foreign log records are reduced to their
message template (never their arguments or exception text), and a scrub
processor before the renderer masks digit runs and e-mail addresses in every
string as a last line of defence.
"""

from __future__ import annotations

import atexit
import logging
import time
from collections.abc import MutableMapping
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import EventDict, WrappedLogger

from gateway.obs.redact import scrub_text
from gateway.obs.sink import LineSink

SINK = LineSink()  # the process's log output; replaced by configure_logging
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}
# Fields whose values the gateway generated itself and are safe as they are.
# (`path` is already reduced by http.canonical.log_safe; `client` is an IP address.)
# `event` is scrubbed: a foreign library may log a pre-formatted message.
# Fields the gateway fills itself with no payload in them. Policy versions are
# hex hashes: a run of seven digits in one is not a phone number.
# `role` is a role name from the policy; `trace_id` is 32 validated hex digits
# (scrubbing it would mangle about half of all trace ids: a run of seven
# decimal digits is common in random hex).
_SAFE_FIELDS = frozenset({"timestamp", "level", "component", "request_id", "policy_version",
                          "version", "kept_version", "previous_version",
                          "client", "route", "method", "path", "error", "kid", "role",
                          "trace_id"})
# Access-line fields the gateway fills with numbers, None or its own structures
# (PII counts by entity and operator, limit decisions): nothing to scrub, as in
# structlog's chain, whose scrub looks at strings and lists of strings only.
_PLAIN_FIELDS = _SAFE_FIELDS | {"status", "bytes_in", "bytes_out", "latency_ms",
                                "upstream_latency_ms", "pii", "limits"}
_LINE_KEYS = _PLAIN_FIELDS | {"component", "event", "request_id", "level", "timestamp"}


class _Output:
    """What configure_logging decided, read by the access line per request."""

    __slots__ = ("bound", "bound_json", "info", "json_info")

    def __init__(self) -> None:
        self.info = True  # INFO lines are written: the access line is
        self.json_info = True  # ... as JSON: the access line's fast path applies
        self.bound: dict[str, Any] = {}  # the context bound at configuration, scrubbed
        self.bound_json: str | None = ""  # as JSON members (None: keys the line has)

    def bind(self, bound: dict[str, Any]) -> None:
        self.bound = {key: _scrubbed(key, value) for key, value in bound.items()}
        members = orjson.dumps(self.bound).decode()[1:-1]
        self.bound_json = None if _LINE_KEYS & self.bound.keys() else \
            "," + members if members else ""


_OUT = _Output()


def scrub(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key, value in event_dict.items():
        if key in _SAFE_FIELDS:
            continue
        if isinstance(value, str):
            event_dict[key] = scrub_text(value)
        elif isinstance(value, list | tuple):
            event_dict[key] = [scrub_text(v) if isinstance(v, str) else v for v in value]
    return event_dict


class _ForeignHandler(logging.Handler):
    """Turns stdlib records into structlog events carrying only the template."""

    def emit(self, record: logging.LogRecord) -> None:
        fields: MutableMapping[str, Any] = {"component": record.name}
        if record.exc_info and record.exc_info[0] is not None:
            fields["exc_type"] = record.exc_info[0].__name__
        template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        log = structlog.get_logger()
        log.log(record.levelno, template, **fields)


def configure_logging(fmt: str = "auto", level: str = "info", stream: TextIO | None = None,
                      **bind: Any) -> None:
    global SINK
    SINK.flush()
    SINK = LineSink(stream)
    if fmt == "auto":
        fmt = "console" if SINK.stream.isatty() else "json"
    _OUT.info = _LEVELS[level] <= logging.INFO
    _OUT.json_info = fmt == "json" and _OUT.info
    _OUT.bind(bind)
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer(colors=False) if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            scrub,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[level]),
        logger_factory=_current_sink,
        # Each logger is assembled once, on first use; output always goes to the
        # current SINK, so a reconfigured stream is followed.
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    if bind:
        structlog.contextvars.bind_contextvars(**bind)
    root = logging.getLogger()
    root.handlers[:] = [_ForeignHandler()]
    root.setLevel(_LEVELS[level])
    for name in ("aiohttp.access",):
        logging.getLogger(name).disabled = True


class _SinkProxy:
    def msg(self, message: str) -> None:
        SINK.msg(message)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


def _current_sink(*_: Any) -> _SinkProxy:
    return _SinkProxy()


def flush_logs() -> None:
    SINK.flush()


atexit.register(flush_logs)


def get_logger(name: str = "gateway") -> Any:
    return structlog.get_logger(component=name)


_ACCESS = get_logger("gateway.access")


def access_enabled() -> bool:
    """The access line is written (INFO lines are): checked before its fields
    are gathered. A structlog logger's `is_enabled_for` goes through its lazy
    proxy's `__getattr__` on every call."""
    return _OUT.info


def access_line(fields: dict[str, Any], request_id: str) -> None:
    """The one line per request. With JSON output it is rendered here, with the
    fields and order structlog's chain would give it (the context bound by
    configure_logging and the request's id, which is all the gateway binds;
    level, ISO timestamp) and the same scrub of free-text fields, at a
    fraction of the chain's cost: it is written for every request."""
    if not _OUT.json_info:
        _ACCESS.info("access", **fields)
        return
    bound = _OUT.bound_json
    if bound is None or not fields.keys() <= _PLAIN_FIELDS:  # free text, or keys that meet
        SINK.msg(orjson.dumps(_access_dict(fields, request_id)).decode())
        return
    # the usual line as text around orjson's members of `fields`: no second dict
    members = orjson.dumps(fields).decode()[1:-1]
    SINK.msg(f'{{"component":"gateway.access"{"," if members else ""}{members},'
             f'"event":"access"{bound},"request_id":{orjson.dumps(request_id).decode()},'
             f'"level":"info","timestamp":"{utc_timestamp()}"}}')


def _access_dict(fields: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The access line as structlog's chain builds it: bound values, the
    event's fields, `event`, the context where no field holds its key (a
    `setdefault`), then `level` and `timestamp` set (in place, when a field
    had the key), free text scrubbed."""
    line: dict[str, Any] = {"component": "gateway.access"}
    for key, value in fields.items():
        line[key] = _scrubbed(key, value)
    line["event"] = "access"
    for key, value in (*_OUT.bound.items(), ("request_id", request_id)):
        line.setdefault(key, _scrubbed(key, value))
    line["level"] = "info"
    line["timestamp"] = utc_timestamp()
    return line


def _scrubbed(key: str, value: Any) -> Any:
    return value if key in _SAFE_FIELDS or value.__class__ is not str else scrub_text(value)


_SECOND: list[Any] = [-1, ""]  # the last whole second formatted, and its text


def utc_timestamp() -> str:
    """Now as ISO 8601 in UTC with microseconds, as structlog's TimeStamper
    writes it ("2026-12-01T21:40:52.123456Z"); the date and time part is
    formatted once per second."""
    now = time.time()
    second = int(now)
    if second != _SECOND[0]:
        _SECOND[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
    return f"{_SECOND[1]}.{int((now - second) * 1_000_000):06d}Z"
