"""Who is asking, for every page of /admin: the session cookie (first-party on rejoinder's own origin:
HttpOnly, SameSite=Strict, Secure and `__Host-` over https), the CSRF token every form carries (an HMAC of
the session, checked on every POST together with the Origin header), and the pre-sign-in cookie that
binds the login form the same way."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response

from rejoinder.errors import Forbidden
from rejoinder.services import admin_auth
from rejoinder.services.admin_auth import Staff
from rejoinder.web.account import base_url
from rejoinder.web.admin.forms import Form, read_form
from rejoinder.web.wire import ctx_of, own_origins

SESSION = "rejoinder-admin"
PRE = "rejoinder-admin-pre"  # binds the sign-in form (login CSRF) before there is a session
FLOW = "rejoinder-admin-flow"  # binds a provider sign-in to the browser that started it


def is_secure(request: Request[Any, Any, Any]) -> bool:
    return base_url(request).startswith("https://")


def cookie_name(request: Request[Any, Any, Any], base: str) -> str:
    # __Host- cookies are only kept over https, for this host, with Path=/ (RFC 6265bis §4.1.3.2).
    return f"__Host-{base}" if is_secure(request) else base


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
        path="/",
        max_age=max_age,
        httponly=True,
        secure=secure,
        samesite=samesite,
    )


def clear_cookie(request: Request[Any, Any, Any], response: Response[Any], base: str) -> None:
    response.delete_cookie(key=cookie_name(request, base), path="/")


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
    if origin not in own_origins(ctx_of(request)):  # from server.public_url, never from the Host header
        raise Forbidden("This form was sent from another site", code="csrf-invalid")


async def checked_form(request: Request[Any, Any, Any], staff: Staff) -> Form:
    """The form of a signed-in POST, after its Origin and CSRF token were checked."""
    check_origin(request)
    form = await read_form(request)
    admin_auth.check_form_token(
        ctx_of(request).secret, "session", staff.session_hash, form.values.get("csrf", [""])[0]
    )
    return form


def login_csrf(request: Request[Any, Any, Any], pre: str) -> str:
    return admin_auth.form_token(ctx_of(request).secret, "login", pre)
