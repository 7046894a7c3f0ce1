"""How rejoinder's log lines look and where they go: standard error, one line each, with a UTC timestamp,
level, logger and the id of the request being served (`req=…`), as text or as JSON objects
(`server.log_format`); `server.log_level` sets the lowest level written. Configured once per server process
(the main process and each worker: cli.run_server, asgi/demo app factories), never by importing rejoinder
(tests and embedding applications keep their own logging).

The request id comes from a context variable that web/access.py sets for each request, so every line
logged while serving a request carries it, and an error answer quotes the same id (web/problems.py)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import sys
import time
from contextvars import ContextVar

from rejoinder.config.schema import LogFormat, ServerSettings

REQUEST_ID: ContextVar[str | None] = ContextVar("rejoinder_request_id", default=None)
_HANDLER_NAME = "rejoinder"
# Attributes every LogRecord has; anything else was passed in `extra` and goes into the JSON object.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def _timestamp(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-07T10:10:14.123Z INFO rejoinder.access req=3f2a… message`"""

    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request_id", None)
        line = f"{_timestamp(record)} {record.levelname} {record.name}"
        line += f" req={request} " if request else " "
        line += record.getMessage()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, the record's `extra` fields, and
    the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request_id", None)
        if request:
            out["request_id"] = request
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = (
                    value if isinstance(value, str | int | float | bool) or value is None else str(value)
                )
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure(server: ServerSettings) -> None:
    """Send rejoinder's log lines (and the HTTP servers') to standard error as `server` says. Idempotent:
    a second call replaces the handler the first one installed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if server.log_format is LogFormat.JSON else TextFormatter())
    handler.addFilter(_RequestId())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = getattr(logging, server.log_level.value.upper())
    root.setLevel(level)
    logging.getLogger("rejoinder").setLevel(level)
    # Alembic tells every migration step at INFO; its warnings still show.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
    ACCESS.sink = AccessSink(server.log_format) if server.access_log and level <= logging.INFO else None


class AccessSink:
    """Writes the access log's lines (web/access.py) straight to standard error, formatted as the
    `rejoinder.access` logger's would be, in batches: a line costs a few microseconds instead of the
    logging module's tens (a cached thread read costs about ten). Flushed when a batch is full, at least
    every FLUSH_SECONDS by the next request after that, and at exit: a crash loses at most the lines of
    that last moment, as with nginx's buffered access log."""

    BATCH = 64
    FLUSH_SECONDS = 1.0

    def __init__(self, form: LogFormat) -> None:
        self.json = form is LogFormat.JSON
        self.lines: list[str] = []
        self.flushed = time.monotonic()
        atexit.register(self.flush)

    def write(
        self, *, method: str, path: str, status: int, sent: int, ms: float, client: str, request_id: str
    ) -> None:
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
        if self.json:
            line = json.dumps(
                {
                    "time": stamp,
                    "level": "info",
                    "logger": "rejoinder.access",
                    "message": f"{method} {path} {status or '-'} {sent}B {ms:.1f}ms client={client}",
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "status": status,
                    "bytes": sent,
                    "ms": round(ms, 1),
                    "client": client,
                },
                ensure_ascii=False,
            )
        else:
            line = (
                f"{stamp} INFO rejoinder.access req={request_id} "
                f"{method} {path} {status or '-'} {sent}B {ms:.1f}ms client={client}"
            )
        if not self.lines:  # the first line of a batch: it is written within FLUSH_SECONDS, come what may
            with contextlib.suppress(RuntimeError):  # no running loop: the next write or exit flushes
                asyncio.get_running_loop().call_later(self.FLUSH_SECONDS, self.flush)
        self.lines.append(line)
        if len(self.lines) >= self.BATCH or time.monotonic() - self.flushed >= self.FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.flushed = time.monotonic()
        if not self.lines:
            return
        text = "\n".join(self.lines) + "\n"
        self.lines.clear()
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # standard error closed: nothing to tell anyone


class _Access:
    """Where the access log goes in this process: None (off; tests, embedding) until `configure`. Process
    state, like the logging module's own configuration that `configure` sets beside it."""

    sink: AccessSink | None = None


ACCESS = _Access()
