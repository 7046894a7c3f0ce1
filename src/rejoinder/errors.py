"""The domain error hierarchy. Nothing here knows HTTP; `web/problems.py` maps `status` to a response.

    RejoinderError
     ├── Invalid            (422, field errors; `errors` lists them)
     │    ├── BadRequest    (400, a body that cannot be read at all)
     │    │    └── WebmentionInvalid  (a Webmention request without a usable source and target)
     │    └── UrlRequired, SiteRequired, ModeInvalid, ServerInvalid, ActionInvalid   (raised with `.at(field, message)`)
     ├── Unauthorized       (401, a missing, expired, revoked or unknown session token)
     │    └── SsoClaimInvalid, AdminSessionInvalid
     ├── NotFound           (404)
     │    ├── SiteNotFound, ProviderNotFound, SignInLinkInvalid, DataLinkInvalid, EmailLinkUnknown, CommentNotFound,
     │    └── CommentDeleted, ThreadNotFound, IdentityNotFound, WebhookNotFound, WebhookDeliveryNotFound,
     │        ImportJobNotFound, NoticeNotFound
     ├── Forbidden          (403)
     │    ├── OriginNotAllowed, NotAModerator, NotAnAdmin, CsrfInvalid, StateInvalid, ProviderError,
     │    └── ServerNotPublic, BrowserMismatch, FlowExpired, TokenRejected, ThreadClosed,
     │        SubscriptionLinkInvalid, CommenterWarned, InboxLinkInvalid
     ├── Conflict           (409)
     │    └── CredentialInUse
     ├── Gone               (410)
     ├── PayloadTooLarge    (413)
     ├── UnsupportedMediaType (415, a body that is not sent as JSON where JSON is required)
     ├── RateLimited        (429)
     │    └── TooManyStreams
     └── Unavailable        (503)
          ├── LiveDisabled
          ├── WebhookDeliveryFailed   (an outbox retry, never an HTTP answer)
          └── WebmentionFailed        (the same for fetching a Webmention source or sending one)

Each instance carries a kebab-case `code` that clients translate by (never by message text), a short
`title` and a `detail` sentence a person can act on. An error that several modules raise is a subclass here
that names its code once (`raise SiteNotFound.named(name)`), never `NotFound(..., code="site-not-found")` again.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Self, TypeVar

import msgspec

_Choice = TypeVar("_Choice", bound=enum.StrEnum)


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
    default_detail: ClassVar[str | None] = None  # the sentence used when a raise site gives none

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, errors: list[FieldError] | None = None
    ) -> None:
        detail = detail or self.default_detail or self.title
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

    @classmethod
    def one_of(cls, field: str, choices: type[_Choice], value: str, *, code: str, message: str) -> _Choice:
        """The member of `choices` that `value` names; when none does, this error on `field` whose message is
        `message` followed by the values allowed ("Choose one of" → "Choose one of spam, abuse, …")."""
        try:
            return choices(value)
        except ValueError:
            allowed = ", ".join(choice.value for choice in choices)
            raise cls.field(field, code, f"{message} {allowed}") from None

    @classmethod
    def at(cls, field: str, message: str) -> Self:
        """A single-field error with the class's own code: `raise SiteRequired.at("site", "…")`."""
        return cls(message, errors=[FieldError(field=field, code=cls.default_code, message=message)])


class BadRequest(Invalid):
    status = 400
    title = "Malformed request"
    default_code = "malformed-request"

    @classmethod
    def invalid_value(cls, field: str, message: str) -> BadRequest:
        """A parameter this request may not have although its type allows it: answered like the schema's
        own refusals (`invalid-request`, the field with `invalid-value`)."""
        return cls(
            f"{field}: {message}",
            code="invalid-request",
            errors=[FieldError(field=field, code="invalid-value", message=message)],
        )


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
    """`retry_after`: seconds after which trying again makes sense (sent as the Retry-After header), when
    the outage is one that passes (the database restarting)."""

    status = 503
    title = "Service unavailable"
    default_code = "unavailable"

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after


class TooManyStreams(RateLimited):
    """Live updates: this worker, or this network address, holds as many streams as it may."""

    default_code = "too-many-streams"


class LiveDisabled(Unavailable):
    """Live updates are off on this server (`live.enabled`): clients read without them."""

    default_code = "live-disabled"


# --- errors several modules raise: each code said once ---------------------------------------------------


class SiteNotFound(NotFound):
    default_code = "site-not-found"

    @classmethod
    def named(cls, name: str | None) -> SiteNotFound:
        return cls(f"There is no site named {name!r} on this server")


class ProviderNotFound(NotFound):
    default_code = "provider-not-found"
    default_detail = "This sign-in provider is no longer offered"


class DataLinkInvalid(NotFound):
    """A guest's data-request link that is unknown, used up or expired: all answer alike."""

    default_code = "data-link-invalid"
    default_detail = "This link is not valid any more. Ask for a new one on the data request page"


class SignInLinkInvalid(NotFound):
    default_code = "sign-in-link-invalid"
    default_detail = (
        "This sign-in link is not valid. Copy the whole link from the email, or ask for a new one"
    )


class EmailLinkUnknown(NotFound):
    """A moderation email link that is not valid, or whose moderator no longer exists."""

    default_code = "email-link-unknown"
    default_detail = "This moderation link is not valid"


class CommentNotFound(NotFound):
    """Also what a hidden or pending comment answers to one who may not see it: a reader cannot tell the
    two apart (no existence oracle)."""

    default_code = "comment-not-found"
    default_detail = "There is no comment with this id"


class CommentDeleted(NotFound):
    """A moderation action on a comment its author already deleted: nothing is left to moderate."""

    default_code = "comment-deleted"
    default_detail = "This comment has been deleted; there is nothing to moderate"


class CommenterWarned(Forbidden):
    """A moderator warned this commenter: they read the warning and acknowledge it before posting again.
    The problem carries the warning (`warning`: its id and message) for the widget to show."""

    default_code = "commenter-warned"

    def __init__(self, warning_id: str, message: str) -> None:
        super().__init__(
            "A moderator has sent you a warning; read it and acknowledge it before posting again"
        )
        self.warning_id = warning_id
        self.message = message


class NoticeNotFound(NotFound):
    default_code = "notice-not-found"
    default_detail = "There is no notice of illegal content with this id on your sites"


class ThreadNotFound(NotFound):
    default_code = "thread-not-found"
    default_detail = "There is no thread with this id"


class IdentityNotFound(NotFound):
    default_code = "identity-not-found"
    default_detail = "There is no identity with this id"


class WebhookNotFound(NotFound):
    default_code = "webhook-not-found"
    default_detail = "This site has no webhook endpoint with this id"


class WebhookDeliveryNotFound(NotFound):
    default_code = "webhook-delivery-not-found"


class ImportJobNotFound(NotFound):
    default_code = "import-job-not-found"
    default_detail = "There is no import with this id on your sites"


class SubscriptionLinkInvalid(Forbidden):
    """A confirm, unsubscribe or manage link whose signature rejoinder did not make (forged or cut)."""

    default_code = "subscription-link-invalid"
    default_detail = "This link is not valid. Copy the whole link from the email"


class InboxLinkInvalid(Forbidden):
    """An inbox link (GET /api/me/inbox hands them out) whose signature rejoinder did not make."""

    default_code = "inbox-link-invalid"
    default_detail = "This inbox link is not valid. Open your inbox again from the comments"


class SubscriptionsDisabled(Unavailable):
    """Email subscriptions need an SMTP server ([email] host) and [subscriptions] enabled."""

    default_code = "subscriptions-disabled"
    default_detail = "This server sends no notification email"


class UrlRequired(Invalid):
    default_code = "url-required"


class SiteRequired(Invalid):
    default_code = "site-required"


class ModeInvalid(Invalid):
    default_code = "mode-invalid"


class ServerInvalid(Invalid):
    """A fediverse server name that is not a bare https host name."""

    default_code = "server-invalid"


class ActionInvalid(Invalid):
    """A moderation form or link named an action this place does not take."""

    default_code = "action-invalid"


class OriginNotAllowed(Forbidden):
    default_code = "origin-not-allowed"


class NotAModerator(Forbidden):
    default_code = "not-a-moderator"
    default_detail = "Only this site's moderators can do that"


class NotAnAdmin(Forbidden):
    default_code = "not-an-admin"
    default_detail = "Only this site's admins can do that"


class CsrfInvalid(Forbidden):
    default_code = "csrf-invalid"
    default_detail = "This form has expired or did not come from this site; reload the page and try again"


class StateInvalid(Forbidden):
    """A sign-in answer whose state is missing, unknown, used or for another provider: start again."""

    default_code = "state-invalid"
    default_detail = "This sign-in is unknown or was already used; start again"


class BrowserMismatch(Forbidden):
    default_code = "browser-mismatch"
    default_detail = "This sign-in was started in another browser; start again from the comment form"


class ProviderError(Forbidden):
    """A sign-in provider (or fediverse server) answered with an error or an unreadable answer."""

    default_code = "provider-error"


class ServerNotPublic(Forbidden):
    default_code = "server-not-public"
    default_detail = "rejoinder only contacts servers on the public internet, over https"


class FlowExpired(Forbidden):
    default_code = "flow-expired"


class TokenRejected(Forbidden):
    default_code = "token-rejected"


class ThreadClosed(Forbidden):
    default_code = "thread-closed"
    default_detail = "This discussion is closed to new comments."


class CredentialInUse(Conflict):
    default_code = "credential-in-use"
    default_detail = "This sign-in already belongs to a rejoinder identity"


class SsoClaimInvalid(Unauthorized):
    """A publisher's SSO token whose claim has the wrong type or form; the detail names the claim."""

    default_code = "sso-claim-invalid"


class AdminSessionInvalid(Unauthorized):
    default_code = "admin-session-invalid"
    default_detail = "This sign-in is not valid; sign in again"


class ConfigError(Exception):
    """A setting is unknown or invalid; raised at start-up only, never inside a request."""


class BackupRefused(Exception):
    """`rejoinder backup` or `restore` cannot or will not do what was asked (a file that is not a rejoinder
    database, a newer schema, a running server's database); raised by those commands only, never in a request."""


class WebhookDeliveryFailed(Unavailable):
    """One attempt to deliver a webhook failed (non-2xx, a redirect, a timeout, a refused address)."""

    default_code = "webhook-delivery-failed"


class AddressRejected(Unavailable):
    """The mail server refused a recipient for good (a 5xx answer): no more notifications go there."""

    default_code = "smtp-rejected"


class WebmentionInvalid(BadRequest):
    """A Webmention request (POST /webmention) whose source or target cannot be taken: missing, not http(s),
    the same URL twice, or a target on no site of this server (the W3C specification asks for a 400)."""

    default_code = "webmention-invalid"


class WebmentionFailed(Unavailable):
    """Fetching a Webmention's source, or sending one, failed in a way worth retrying (a timeout, a 5xx)."""

    default_code = "webmention-failed"
