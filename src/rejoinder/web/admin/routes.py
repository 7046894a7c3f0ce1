"""/admin: signing in and out, the dashboard, the queues with one-key and bulk actions, a comment's
details with staff replies, and the confirmation pages of email links. Threads, bans, the log, sites and
users are in manage.py. Every page is server-rendered; admin.js only adds keyboard shortcuts."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery

from rejoinder.domain.identity import anonymize_ip
from rejoinder.errors import (
    ActionInvalid,
    BadRequest,
    CsrfInvalid,
    Forbidden,
    Invalid,
    NotFound,
    ProviderNotFound,
    RateLimited,
    RejoinderError,
    Unauthorized,
)
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import REASON_TEXT, ApproveReason, ModAction, RejectReason
from rejoinder.moderation.rules import Role
from rejoinder.ratelimit import network_key
from rejoinder.services import admin as service
from rejoinder.services import admin_auth, admin_desk, admin_mail
from rejoinder.services import moderation as moderation_service
from rejoinder.services.admin_auth import Staff
from rejoinder.services.moderation import legal as legal_service
from rejoinder.web.admin import auth
from rejoinder.web.admin.forms import local_path, read_form
from rejoinder.web.admin.render import page, redirect
from rejoinder.web.problems import fallback_for
from rejoinder.web.signin_pages import base_url, callback_params, callback_route, registry_of
from rejoinder.web.wire import client_ip, ctx_of

log = logging.getLogger("rejoinder.admin")
_SIGN_IN = {"event": "admin-sign-in"}  # names these lines for log collectors (server.log_format = json)

QUEUES = [
    (queues.Queue.REPORTED, "Reported"),
    (queues.Queue.PENDING, "Pending"),
    (queues.Queue.UNMODERATED, "Unmoderated"),
    (queues.Queue.APPROVED, "Approved"),
    (queues.Queue.REJECTED, "Rejected / spam"),
]
REASONS = [(r.value, REASON_TEXT[r]) for r in RejectReason]
DECISIONS = {"approve", "reject", "spam", "delete"}
# Buttons that are a decision with a reason: approve as "not abuse: political speech".
REASONED = {"approve-political": (ModAction.APPROVE, ApproveReason.POLITICAL_SPEECH.value)}
MARKS = {"pin", "unpin", "feature", "unfeature"}
NOTICES = {
    "approve": "Approved",
    "approve-political": "Approved as political speech: the classifier learns it is not abuse",
    "reject": "Rejected",
    "spam": "Marked as spam",
    "delete": "Deleted",
    "pin": "Pinned",
    "unpin": "Unpinned",
    "feature": "Featured",
    "unfeature": "No longer featured",
    "trust": "The author is now trusted",
    "untrust": "The author is no longer trusted",
    "reply": "Your reply is published",
    "close": "The thread is closed",
    "open": "The thread is open",
    "ban": "Banned",
    "lift": "The ban is lifted",
    "grant": "Role given",
    "revoke": "Role taken away",
    "site": "Site saved",
    "site-add": "Site added",
    "retry": "The delivery will be tried again within a few seconds",
    "instance-block": "The instance is blocked",
    "instance-block-again": "The instance was already blocked",
    "instance-unblock": "The instance is no longer blocked",
    "instance-unblock-none": "That instance was not blocked",
    "webhook-enable": "The endpoint receives events again",
    "webhook-disable": "The endpoint is turned off",
    "webhook-remove": "The endpoint is removed",
    "webhook-redeliver": "The event will be sent again within a few seconds",
    "erase": "Their data is deleted",
    # the moderation desk (desk.py)
    "edit": "The new text is published, marked as edited by a moderator",
    "warn": "Warned: they read the warning before they can post again",
    "premoderate": "Their new comments will wait for a moderator",
    "unpremoderate": "Their new comments go through the usual checks again",
    "note": "Note added",
    "filter-save": "Filter saved",
    "filter-delete": "Filter removed",
    "notice-decided": "Decided: the notifier and the author are told, with your reasons",
}


# --- shared page parts -------------------------------------------------------------------------------------


def notice(request: Request[Any, Any, Any]) -> str | None:
    done = request.query_params.get("done")
    if done not in NOTICES:
        return None
    n = request.query_params.get("n", "")
    count = int(n) if n.isascii() and n.isdigit() and len(n) < 5 else 0
    failed = request.query_params.get("failed", "")
    if done == "ban":
        rejected = f" {count} of their comments {'was' if count == 1 else 'were'} rejected." if count else ""
        return "Banned." + rejected
    text = NOTICES[done] + (f": {count} comment{'s' if count != 1 else ''}" if count > 1 else "") + "."
    if failed.isascii() and failed.isdigit() and int(failed[:4]) > 0:
        text += f" {int(failed[:4])} could not be changed (already decided, deleted, or not yours)."
    return text


async def frame(request: Request[Any, Any, Any], staff: Staff, section: str, **values: Any) -> dict[str, Any]:
    """What every signed-in page shows: who, the navigation with queue sizes, the CSRF token."""
    ctx = ctx_of(request)
    sites = await service.visible_sites(ctx, staff.actor)
    counts: dict[str, int] = {}
    if sites:
        counts = await moderation_service.queue_counts(ctx, staff.actor)
        counts["notices"] = await legal_service.count_open(ctx, staff.actor)
    return {
        "staff": staff,
        "csrf": auth.csrf(request, staff),
        "sites": sites,
        "site_names": {s.id: s.name for s in sites},
        "counts": counts,
        "queues": QUEUES,
        "section": section,
        "notice": notice(request),
        "here": here(request),
        **values,
    }


def here(request: Request[Any, Any, Any]) -> str:
    query = urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k not in ("done", "n", "failed")]
    )
    return request.url.path + (f"?{query}" if query else "")


def after(back: str, done: str, *, n: int = 1, failed: int = 0, anchor: str | None = None) -> Response[str]:
    target = local_path(back)
    path = target.partition("#")[0]
    sep = "&" if "?" in path else "?"
    counted = n != 1 or done == "ban"  # a ban's count is of the comments it rejected
    extra = f"done={done}" + (f"&n={n}" if counted else "") + (f"&failed={failed}" if failed else "")
    clean_anchor = anchor if anchor and anchor.replace("-", "").replace("_", "").isalnum() else None
    return redirect(f"{path}{sep}{extra}" + (f"#c-{clean_anchor}" if clean_anchor else ""))


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors of /admin: a sign-in redirect for a browser without a session, an HTML page for other
    browser requests, problem+json for everything else."""
    wants_html = "text/html" in request.headers.get("accept", "")
    parts = fallback_for(request, exc)
    if not wants_html:
        return parts.response
    if (
        isinstance(exc, Unauthorized)
        and request.method == "GET"
        and not request.url.path.startswith("/admin/email")
    ):
        query = {"next": here(request)}
        if exc.code == "admin-session-expired":
            query["expired"] = "1"
        return redirect("/admin/login?" + urlencode(query))
    headers = (
        {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) and exc.retry_after else None
    )
    return page(
        "error.html",
        parts.status,
        extra=headers,
        http_status=parts.status,
        code=parts.code,
        title=parts.title,
        detail=parts.detail,
    )


ERRORS: dict[Any, Any] = {RejoinderError: error_response, HTTPException: error_response}


# --- signing in and out ------------------------------------------------------------------------------------


def _providers(request: Request[Any, Any, Any]) -> list[Any]:
    try:
        registry = registry_of(request)
    except RejoinderError:
        return []
    return [registry.info(p) for name in registry.names() if (p := registry.get(name)) is not None]


def _login_page(
    request: Request[Any, Any, Any],
    pre: str,
    *,
    status: int = 200,
    error: str | None = None,
    username: str = "",
) -> Response[str]:
    ctx = ctx_of(request)
    response = page(
        "login.html",
        status,
        # The Mastodon server form leads to that server: form-action must allow it (this page only).
        extra={"Content-Security-Policy": _login_csp()},
        password=bool(ctx.settings.admin.username),
        providers=_providers(request),
        csrf=auth.login_csrf(request, pre),
        next=local_path(request.query_params.get("next")),
        expired=request.query_params.get("expired") == "1",
        bye=request.query_params.get("bye") == "1",
        error=error,
        username=username,
    )
    auth.set_cookie(request, response, auth.PRE, pre, max_age=3600)
    auth.clear_old_cookies(request, response)
    return response


def _login_csp() -> str:
    from rejoinder.web.admin.render import headers

    return headers(form_action="'self' https:")["Content-Security-Policy"]


@get("/login", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any]) -> Response[str]:
    try:
        await auth.require_staff(request)
    except RejoinderError:
        pass
    else:
        return redirect(local_path(request.query_params.get("next")))
    pre = auth.read_cookie(request, auth.PRE) or ctx_of(request).token(32)
    return _login_page(request, pre)


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request[Any, Any, Any]) -> Response[str]:
    """The configured admin account's password sign-in."""
    ctx = ctx_of(request)
    auth.check_origin(request)
    form = await read_form(request)
    pre = auth.read_cookie(request, auth.PRE)
    if pre is None:
        raise CsrfInvalid("The sign-in form expired; reload the page and try again")
    admin_auth.check_form_token(ctx.verify_keys, "login", pre, form.get("csrf", limit=100))
    username = form.get("username", limit=200)
    limiter: admin_auth.LoginLimiter = request.app.state["admin_login_limiter"]  # runtime.Runtime built it
    network = anonymize_ip(client_ip(request)) or "-"
    await limiter.hit(network_key(client_ip(request)))
    try:
        token, expires = await admin_auth.sign_in_with_password(
            ctx, username, form.get("password", limit=1000)
        )
    except Unauthorized as exc:
        log.warning(
            "admin sign-in refused for %r from %s: %s", username[:64], network, exc.code, extra=_SIGN_IN
        )
        return _login_page(request, pre, status=401, error=exc.detail, username=username)
    log.info("admin sign-in of %r from %s", username[:64], network, extra=_SIGN_IN)
    response = redirect(local_path(form.get("next", limit=2000)))
    auth.set_cookie(request, response, auth.SESSION, token, max_age=(expires - ctx.clock()) // 1_000_000)
    auth.clear_cookie(request, response, auth.PRE)
    return response


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[str]:
    await auth.staff_post(request)
    await admin_auth.sign_out(ctx_of(request), auth.read_cookie(request, auth.SESSION))
    response = redirect("/admin/login?bye=1")
    auth.clear_cookie(request, response, auth.SESSION)
    return response


def _redirect_uri(request: Request[Any, Any, Any], provider: str) -> str:
    """What a publisher registers at the provider besides /auth/NAME/callback (docs/moderation.md)."""
    return f"{base_url(request)}/admin/auth/{provider}/callback"


@get("/auth/{provider:str}/start", include_in_schema=False)
async def provider_start(
    request: Request[Any, Any, Any], provider: FromPath[str], server: FromQuery[str | None] = None
) -> Response[str]:
    ctx = ctx_of(request)
    found = registry_of(request).get(provider)
    if found is None:
        raise ProviderNotFound(f"No sign-in provider is named {provider!r}")
    binding = ctx.token(32)
    url = await admin_auth.begin_identity_flow(
        ctx, found, binding=binding, redirect_uri=_redirect_uri(request, provider), server=server or None
    )
    response = redirect(url, extra={"Referrer-Policy": "no-referrer"})
    auth.set_cookie(request, response, auth.FLOW, binding, max_age=admin_auth.FLOW_SECONDS, samesite="none")
    return response


@callback_route("state and the flow cookie")
async def provider_callback(request: Request[Any, Any, Any], provider: FromPath[str]) -> Response[str]:
    ctx = ctx_of(request)
    found = registry_of(request).get(provider)
    if found is None:
        raise ProviderNotFound(f"No sign-in provider is named {provider!r}")
    posted = (await read_form(request)).values.items() if request.method == "POST" else ()
    params = callback_params(request, ((k, v[0]) for k, v in posted if v))
    network = anonymize_ip(client_ip(request)) or "-"
    try:
        token, expires = await admin_auth.finish_identity_flow(
            ctx,
            found,
            state=params.get("state"),
            binding=auth.read_cookie(request, auth.FLOW),
            params=params,
            redirect_uri=_redirect_uri(request, provider),
        )
    except RejoinderError as exc:
        log.warning(
            "admin sign-in through %s refused from %s: %s", provider, network, exc.code, extra=_SIGN_IN
        )
        raise
    log.info("admin sign-in through %s from %s", provider, network, extra=_SIGN_IN)
    # A page, not a redirect: the browser arrived here from the provider's site, and a SameSite=Strict
    # cookie set now is sent only on a navigation that starts on this site (the page's own refresh).
    response = page("signed-in.html", extra={"Referrer-Policy": "no-referrer"})
    auth.set_cookie(request, response, auth.SESSION, token, max_age=(expires - ctx.clock()) // 1_000_000)
    auth.clear_cookie(request, response, auth.FLOW)
    return response


# --- the dashboard and the queues ----------------------------------------------------------------------------


@get("/", include_in_schema=False)
async def dashboard(request: Request[Any, Any, Any]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    values = await frame(request, staff, "dashboard")
    days = await service.comments_per_day(ctx, [s.id for s in values["sites"]])
    return page("dashboard.html", **values, days=days, peak=max([d.total for d in days] + [1]))


def _check_id(value: str | None, field: str, code: str) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > 64 or not value.replace("-", "").replace("_", "").isalnum() or not value.isascii():
        raise Invalid.field(field, code, f"{field} is not an id this server gave out")
    return value


def _thread_number(value: str | None) -> int | None:
    """The queue filter's thread number; the filter form sends an empty one when no thread is chosen."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise BadRequest.field("thread", "invalid-request", "thread must be a thread's number")
    return int(value)


@get("/queue/{name:str}", include_in_schema=False)
async def queue_view(
    request: Request[Any, Any, Any],
    name: FromPath[str],
    site: FromQuery[str | None] = None,
    thread: FromQuery[str | None] = None,
    author: FromQuery[str | None] = None,
    identity: FromQuery[str | None] = None,
    before: FromQuery[str | None] = None,
    appealed: FromQuery[str | None] = None,
) -> Response[str]:
    staff = await auth.require_staff(request)
    try:
        queue = queues.Queue(name)
    except ValueError:
        raise NotFound(f"There is no queue {name!r}", code="queue-not-found") from None
    ctx = ctx_of(request)
    sites, chosen = await service.site_scope(ctx, staff.actor, site)
    thread_id = _thread_number(thread)
    thread_info = await service.thread_of(ctx, staff.actor, thread_id) if thread_id is not None else None
    author_key = _check_id(author, "author", "author-invalid")
    identity_id = _check_id(identity, "identity", "identity-invalid")
    if appealed not in (None, "", "1"):
        raise Invalid.field("appealed", "appealed-invalid", "appealed is 1 (only appealed comments) or empty")
    result = service.QueuePage(entries=[], next_cursor=None)
    if sites:
        result = await service.queue_page(
            ctx,
            staff.actor,
            queue,
            site=chosen,
            thread_id=thread_id,
            author_key=author_key,
            identity_id=identity_id,
            before=before or None,
            appealed=appealed == "1",
        )
    values = await frame(request, staff, "queue")
    filters = {
        "site": site or "",
        "thread": thread_id or "",
        "author": author_key or "",
        "identity": identity_id or "",
        "appealed": appealed or "",
    }
    return page(
        "queue.html",
        **values,
        queue=queue,
        queue_label=dict(QUEUES)[queue],
        entries=result.entries,
        next_cursor=result.next_cursor,
        filters=filters,
        filter_query=urlencode({k: v for k, v in filters.items() if v}),
        chosen_site=chosen,
        thread=thread_info,
        reasons=REASONS,
        comment_form_token=moderation_service.issue_form_token(ctx),
    )


@get("/comments/{comment_id:str}", include_in_schema=False)
async def comment_view(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    detail = await moderation_service.comment_detail(ctx, staff.actor, comment_id)
    [entry] = await service.enrich(ctx, [detail.comment])
    values = await frame(request, staff, "queue")
    return page(
        "comment.html",
        **values,
        entry=entry,
        detail=detail,
        edits=await admin_desk.edits_of(ctx, staff.actor, comment_id),
        reasons=REASONS,
        comment_form_token=moderation_service.issue_form_token(ctx),
        can_trust=detail.comment.identity_id is not None,
    )


@post("/comments/{comment_id:str}", include_in_schema=False, status_code=303)
async def comment_action(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[str]:
    """One comment's action: approve, reject (with a reason code), spam, delete, pin, feature, trust."""
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    action = form.get("action", limit=20)
    note = form.optional("note", limit=1000)
    if action in DECISIONS:
        await moderation_service.decide(
            ctx,
            staff.actor,
            comment_id,
            ModAction(action),
            reason=form.optional("reason", limit=40) if action == "reject" else None,
            note=note,
        )
    elif action in REASONED:
        decision, reason = REASONED[action]
        await moderation_service.decide(ctx, staff.actor, comment_id, decision, reason=reason, note=note)
    elif action in MARKS:
        await moderation_service.mark(ctx, staff.actor, comment_id, ModAction(action))
    elif action in ("trust", "untrust"):
        detail = await moderation_service.comment_detail(ctx, staff.actor, comment_id)
        if detail.comment.identity_id is None:
            raise Invalid.field("action", "trust-needs-identity", "Only signed-in commenters can be trusted")
        await moderation_service.set_role(
            ctx,
            staff.actor,
            detail.comment.identity_id,
            Role.TRUSTED,
            site_id=detail.comment.site_id,
            granted=action == "trust",
        )
    else:
        raise ActionInvalid.at("action", "Choose one of the buttons")
    return after(form.get("back", limit=2000), action, anchor=form.optional("next", limit=64))


@post("/bulk", include_in_schema=False, status_code=303)
async def bulk_action(request: Request[Any, Any, Any]) -> Response[str]:
    """The same decision on every checked comment (each in its own transaction, each logged)."""
    staff, form = await auth.staff_post(request)
    action = form.get("action", limit=20)
    if action not in DECISIONS:
        raise ActionInvalid.at("action", "Choose approve, reject, spam or delete")
    ids = list(dict.fromkeys(form.all("ids", limit=64)))
    if not ids:
        raise Invalid.field("ids", "nothing-selected", "Select at least one comment first")
    if len(ids) > queues.MAX_PAGE:
        raise Invalid.field("ids", "too-many-selected", f"Select at most {queues.MAX_PAGE} comments at once")
    reason = form.optional("reason", limit=40) if action == "reject" else None
    if reason is not None or action == "reject":
        from rejoinder.moderation.actions import check_reason

        check_reason(reason)
    done = failed = 0
    for comment_id in ids:
        try:
            await moderation_service.decide(
                ctx_of(request), staff.actor, comment_id, ModAction(action), reason=reason
            )
            done += 1
        except (Forbidden, NotFound, Invalid):
            failed += 1
    return after(form.get("back", limit=2000), action, n=done, failed=failed)


@post("/comments/{comment_id:str}/reply", include_in_schema=False, status_code=303)
async def staff_reply(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    reply_id = await service.reply_as_staff(
        ctx_of(request),
        staff,
        comment_id,
        form.get("text", limit=20000),
        form_token=form.optional("form_token", limit=100),
    )
    return after(form.get("back", limit=2000), "reply", anchor=reply_id)


# --- email links ---------------------------------------------------------------------------------------------

EMAIL_HEADERS = {
    "Referrer-Policy": "same-origin"
}  # the address carries the link's token: not to other origins
# (not no-referrer: Chromium would send Origin: null on the button's POST, which is refused)


@get("/email/{token:str}", include_in_schema=False)
async def email_link(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[str]:
    """The page an email link opens: what the comment is and a button to confirm. Changes nothing."""
    ctx = ctx_of(request)
    link = await admin_mail.read_link(ctx, token, request.query_params.get("action"))
    return page(
        "email.html",
        extra=EMAIL_HEADERS,
        link=link,
        token=token,
        reasons=REASONS,
        csrf=admin_auth.form_token(ctx.secret, "email", token),
        done=None,
    )


@post("/email/{token:str}", include_in_schema=False, status_code=200)
async def email_act(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[str]:
    ctx = ctx_of(request)
    auth.check_origin(request)
    form = await read_form(request)
    admin_auth.check_form_token(ctx.verify_keys, "email", token, form.get("csrf", limit=100))
    comment = await admin_mail.act_on_link(
        ctx, token, form.get("action", limit=20), form.optional("reason", limit=40)
    )
    return page(
        "email.html", extra=EMAIL_HEADERS, link=None, done=comment, token="", reasons=REASONS, csrf=""
    )


HANDLERS: list[Any] = [
    login_form,
    login,
    logout,
    provider_start,
    provider_callback,
    dashboard,
    queue_view,
    comment_view,
    comment_action,
    bulk_action,
    staff_reply,
    email_link,
    email_act,
]
