"""The domain error hierarchy. Nothing here knows HTTP; `web/problems.py` maps `status` to a response.

    RejoinderError
     ├── Invalid            (422, field errors; `errors` lists them)
     │    └── BadRequest    (400, a body that cannot be read at all)
     ├── Unauthorized       (401, a missing, expired, revoked or unknown session token)
     ├── NotFound           (404)
     ├── Forbidden          (403)
     ├── Conflict           (409)
     ├── Gone               (410)
     ├── PayloadTooLarge    (413)
     ├── UnsupportedMediaType (415, a body that is not sent as JSON where JSON is required)
     ├── RateLimited        (429)
     └── Unavailable        (503)

Each instance carries a kebab-case `code` that clients translate by (never by message text), a short
`title` and a `detail` sentence a person can act on.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec


class FieldError(msgspec.Struct, frozen=True):
    """One problem with one input field, addressed by a JSON pointer-ish path (`author.name`)."""

    field: str
    code: str
    message: str


class RejoinderError(Exception):
    """Root of every error rejoinder raises on purpose."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    default_code: ClassVar[str] = "internal-error"

    def __init__(
        self, detail: str, *, code: str | None = None, errors: list[FieldError] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.errors = errors or []


class Invalid(RejoinderError):
    status = 422
    title = "Invalid input"
    default_code = "invalid-input"

    @classmethod
    def field(cls, field: str, code: str, message: str) -> Invalid:
        """A single-field error whose detail is the field's message."""
        return cls(message, code=code, errors=[FieldError(field=field, code=code, message=message)])


class BadRequest(Invalid):
    status = 400
    title = "Malformed request"
    default_code = "malformed-request"


class Unauthorized(RejoinderError):
    status = 401
    title = "Not signed in"
    default_code = "unauthorized"


class NotFound(RejoinderError):
    status = 404
    title = "Not found"
    default_code = "not-found"


class Forbidden(RejoinderError):
    status = 403
    title = "Forbidden"
    default_code = "forbidden"


class Conflict(RejoinderError):
    status = 409
    title = "Conflict"
    default_code = "conflict"


class Gone(RejoinderError):
    status = 410
    title = "Gone"
    default_code = "gone"


class PayloadTooLarge(RejoinderError):
    status = 413
    title = "Request body too large"
    default_code = "body-too-large"


class UnsupportedMediaType(RejoinderError):
    status = 415
    title = "Unsupported media type"
    default_code = "unsupported-media-type"


class RateLimited(RejoinderError):
    """`retry_after`: seconds until the limit frees up again (sent as the Retry-After header)."""

    status = 429
    title = "Too many requests"
    default_code = "rate-limited"

    def __init__(self, detail: str, *, code: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after


class Unavailable(RejoinderError):
    status = 503
    title = "Service unavailable"
    default_code = "unavailable"


class ConfigError(Exception):
    """A setting is unknown or invalid; raised at start-up only, never inside a request."""
