"""Who is asking, for every page of /admin: the session cookie (first-party on rejoinder's own origin,
sent only to /admin: Path=/admin, HttpOnly, SameSite=Strict, and Secure with the `__Secure-` prefix when
the public URL is https), the CSRF token every form carries (an HMAC of the session, checked on every POST
together with the Origin header), and the pre-sign-in cookie that binds the login form the same way."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response

from rejoinder.errors import CsrfInvalid
from rejoinder.services import admin_auth
from rejoinder.services.admin_auth import Staff
from rejoinder.web.admin.forms import Form, read_form
from rejoinder.web.guard import own_origins
from rejoinder.web.signin_pages import base_url
from rejoinder.web.wire import ctx_of

SESSION = "rejoinder-admin"
PRE = "rejoinder-admin-pre"  # binds the sign-in form (login CSRF) before there is a session
FLOW = "rejoinder-admin-flow"  # binds a provider sign-in to the browser that started it


def is_secure(request: Request[Any, Any, Any]) -> bool:
    return base_url(request).startswith("https://")


# Every cookie of /admin is for /admin only: the API, the widget and the reader pages never get it.
# `__Host-` would also forbid a Domain attribute, but it requires Path=/ (RFC 6265bis §4.1.3.2), so the
# prefix is `__Secure-` (set only over https, by a secure page) and the path is scoped instead.
PATH = "/admin"


def cookie_name(request: Request[Any, Any, Any], base: str) -> str:
    return f"__Secure-{base}" if is_secure(request) else base


def read_cookie(request: Request[Any, Any, Any], base: str) -> str | None:
    return admin_auth.check_token_shape(request.cookies.get(cookie_name(request, base)))


def set_cookie(
    request: Request[Any, Any, Any],
    response: Response[Any],
    base: str,
    value: str,
    *,
    max_age: int,
    samesite: Literal["lax", "strict", "none"] = "strict",
) -> None:
    secure = is_secure(request)
    if samesite == "none" and not secure:
        samesite = "lax"  # browsers drop SameSite=None cookies without Secure
    response.set_cookie(
        key=cookie_name(request, base),
        value=value,
        path=PATH,
        max_age=max_age,
        httponly=True,
        secure=secure,
        samesite=samesite,
    )


def clear_cookie(request: Request[Any, Any, Any], response: Response[Any], base: str) -> None:
    response.delete_cookie(key=cookie_name(request, base), path=PATH)


def clear_old_cookies(request: Request[Any, Any, Any], response: Response[Any]) -> None:
    """Expire the cookies of /admin that earlier builds set with Path=/ (named `__Host-…` over
    https): over http an old one has the new one's name and, sent after it, would be the one read."""
    secure = is_secure(request)
    for base in (SESSION, PRE, FLOW):
        name = f"__Host-{base}" if secure else base
        if name in request.cookies:
            response.set_cookie(key=name, value="", path="/", max_age=0, httponly=True, secure=secure)


async def require_staff(request: Request[Any, Any, Any]) -> Staff:
    """The signed-in moderator or admin; raises Unauthorized (sign in) or Forbidden (no staff role)."""
    staff = await admin_auth.staff_of_session(ctx_of(request), read_cookie(request, SESSION))
    request.state["staff"] = staff
    return staff


def csrf(request: Request[Any, Any, Any], staff: Staff) -> str:
    return admin_auth.form_token(ctx_of(request).secret, "session", staff.session_hash)


def check_origin(request: Request[Any, Any, Any]) -> None:
    """A browser sends Origin with every POST: one from another origin is refused outright."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if origin not in own_origins(ctx_of(request), request.scope):  # never from an untrusted Host header
        raise CsrfInvalid("This form was sent from another site")


async def checked_form(request: Request[Any, Any, Any], staff: Staff) -> Form:
    """The form of a signed-in POST, after its Origin and CSRF token were checked."""
    check_origin(request)
    form = await read_form(request)
    admin_auth.check_form_token(
        ctx_of(request).verify_keys, "session", staff.session_hash, form.values.get("csrf", [""])[0]
    )
    return form


async def staff_post(request: Request[Any, Any, Any]) -> tuple[Staff, Form]:
    """Who sent a signed-in POST (see `require_staff`) and its form, checked (see `checked_form`): the
    start of every action that changes something in /admin."""
    staff = await require_staff(request)
    return staff, await checked_form(request, staff)


def login_csrf(request: Request[Any, Any, Any], pre: str) -> str:
    return admin_auth.form_token(ctx_of(request).secret, "login", pre)
