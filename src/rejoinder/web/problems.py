"""Errors → application/problem+json (RFC 9457). The only place HTTP statuses are chosen."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException

from rejoinder.errors import CommenterWarned, RateLimited, RejoinderError, Unavailable
from rejoinder.logs import REQUEST_ID
from rejoinder.store.engine import database_unavailable

log = logging.getLogger("rejoinder.web")
PROBLEM = "application/problem+json"

_HTTP_CODES = {
    400: ("malformed-request", "Malformed request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("body-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
}


class ProblemField(msgspec.Struct):
    field: str
    code: str
    message: str


class WarningOut(msgspec.Struct):
    """The warning a `commenter-warned` problem carries: acknowledged at POST /api/warnings/{id}/acknowledge."""

    id: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[ProblemField] = msgspec.field(default_factory=list)
    request_id: str | None = None
    warning: WarningOut | None = None  # an extension member (RFC 9457 §3.2) of commenter-warned only


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _type_uri(code: str) -> str:
    return f"https://rejoinder.dev/docs/errors#{code}"


def _answer(
    request: Request[Any, Any, Any],
    code: str,
    title: str,
    status: int,
    detail: str,
    *,
    errors: list[ProblemField] | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    warning: WarningOut | None = None,
) -> Response[bytes]:
    """The problem answer to `request`: its `type` URI comes from `code`, its `instance` is the path."""
    problem = Problem(
        type=_type_uri(code),
        title=title,
        status=status,
        detail=detail,
        code=code,
        instance=request.url.path,
        errors=errors or [],
        request_id=request_id,
        warning=warning,
    )
    return problem_response(problem, headers)


def rejoinder_error_handler(request: Request[Any, Any, Any], exc: RejoinderError) -> Response[bytes]:
    headers = None
    if isinstance(exc, RateLimited | Unavailable) and exc.retry_after is not None:
        headers = {"Retry-After": str(exc.retry_after)}  # RFC 9110 §10.2.3: delay-seconds
    errors = [ProblemField(e.field, e.code, e.message) for e in exc.errors]
    warning = WarningOut(exc.warning_id, exc.message) if isinstance(exc, CommenterWarned) else None
    return _answer(
        request, exc.code, exc.title, exc.status, exc.detail, errors=errors, headers=headers, warning=warning
    )


def _field_name(key: str) -> str:
    return key.removeprefix("$.").removeprefix("$") or "body"


_MISSING = re.compile(r"^Object missing required field `([^`]+)`$")


def _validation_field(item: dict[str, Any]) -> ProblemField:
    """One of Litestar's validation messages as a field error named after the JSON member, not `data`."""
    key = str(item.get("key", "body"))
    message = str(item.get("message", "invalid value"))
    field = "body" if key == "data" and item.get("source") == "body" else _field_name(key)
    if field == "body" and message == "'data'":  # Litestar's KeyError text for a missing body
        return ProblemField("body", "body-required", "Send a JSON object as the request body")
    missing = _MISSING.match(message)
    if missing:
        name = missing.group(1) if field == "body" else f"{field}.{missing.group(1)}"
        return ProblemField(name, "field-required", f"{name} is required")
    return ProblemField(field, "invalid-value", message)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    code, title = _HTTP_CODES.get(status, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    errors: list[ProblemField] = []
    if isinstance(exc, ValidationException):
        code, title = "invalid-request", "Invalid request"
        for item in exc.extra if isinstance(exc.extra, list) else []:
            if isinstance(item, dict):
                errors.append(_validation_field(item))
        if errors:
            detail = f"{errors[0].field}: {errors[0].message}"
            if [e.code for e in errors] == ["body-required"]:
                code, title, detail = "body-required", "Missing request body", errors[0].message
        elif detail.startswith("400"):
            detail = "The request could not be read"
    elif status == 400 and (
        isinstance(exc.__cause__, SerializationException) or "JSON is malformed" in detail
    ):
        code, title = "malformed-json", "Malformed JSON"
        detail = "The request body is not valid JSON: " + detail.removeprefix("JSON is malformed: ")
    elif status == 413:
        detail = "The request body is larger than this server accepts"
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    elif status == 404:
        detail = f"Nothing is served at {request.url.path}"
    headers = {k: v for k, v in (exc.headers or {}).items()}
    return _answer(request, code, title, status, detail, errors=errors, headers=headers)


def unicode_error_handler(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[bytes]:
    detail = f"The request body is not valid UTF-8 (byte {exc.start})"
    return _answer(request, "malformed-json", "Malformed JSON", 400, detail)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    unreachable = database_unavailable(exc)  # raised outside store.read/write (a pool, a stream)
    if unreachable is not None:
        log.warning("[rejoinder] %s: %s", request.url.path, unreachable.__cause__)
        return rejoinder_error_handler(request, unreachable)
    request_id = REQUEST_ID.get() or secrets.token_hex(8)  # the id of the access log line (web/access.py)
    log.error("[rejoinder] request %s to %s failed", request_id, request.url.path, exc_info=exc)
    detail = f"Something went wrong on our side; quote request id {request_id} when reporting it"
    return _answer(request, "internal-error", "Internal error", 500, detail, request_id=request_id)


class Fallback(msgspec.Struct, frozen=True):
    """A RejoinderError or HTTPException as problem+json, with the parts an HTML error page shows."""

    response: Response[bytes]
    status: int
    code: str
    title: str
    detail: str


def fallback_for(request: Request[Any, Any, Any], exc: Exception) -> Fallback:
    """The problem+json answer to `exc` and its parts, for handlers that answer browsers with HTML."""
    if isinstance(exc, RejoinderError):
        return Fallback(rejoinder_error_handler(request, exc), exc.status, exc.code, exc.title, exc.detail)
    if isinstance(exc, HTTPException):
        response = http_error_handler(request, exc)
        p = msgspec.json.decode(response.content)
        return Fallback(response, p["status"], p["code"], p["title"], p["detail"])
    raise exc  # pragma: no cover - HTML error handlers are registered for the two classes above only


EXCEPTION_HANDLERS: dict[Any, Any] = {
    RejoinderError: rejoinder_error_handler,
    HTTPException: http_error_handler,
    UnicodeDecodeError: unicode_error_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM", "MediaType", "Problem", "problem_response"]
