"""/admin pages beside the queues: threads (close and open), bans (ban, suspend, lift), the moderation
log, sites with their origins and settings, users with roles, and the configured sign-in providers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from rejoinder.domain.reactions import CATALOG, check_site_reactions
from rejoinder.domain.sites import PremoderationMode, SiteImages, SiteOptions
from rejoinder.domain.subscriptions import DeliveryMode
from rejoinder.errors import ActionInvalid, Forbidden, Invalid, SiteNotFound
from rejoinder.moderation.rules import Role
from rejoinder.services import admin as service
from rejoinder.services import admin_people, personal_data, subscriptions
from rejoinder.services import moderation as moderation_service
from rejoinder.web.admin import auth
from rejoinder.web.admin.forms import Form, local_path
from rejoinder.web.admin.render import page
from rejoinder.web.admin.routes import after, frame
from rejoinder.web.personal_data import attachment
from rejoinder.web.wire import ctx_of

PREMODERATION = [
    ("", "As the server is configured"),
    (PremoderationMode.OFF.value, "Off: publish at once"),
    (PremoderationMode.ALL.value, "Every comment"),
    (PremoderationMode.FIRST.value, "A new commenter's first comments"),
    (PremoderationMode.GUESTS.value, "Comments from guests"),
    (PremoderationMode.LINKS.value, "Comments with links"),
]
ROLES = [
    (Role.MODERATOR.value, "Moderator: moderates comments, threads and bans"),
    (Role.ADMIN.value, "Admin: also sites, settings and roles"),
    (Role.TRUSTED.value, "Trusted commenter: skips pre-moderation"),
]


# --- threads ---------------------------------------------------------------------------------------------


@get("/threads", include_in_schema=False)
async def threads_view(
    request: Request[Any, Any, Any],
    site: FromQuery[str | None] = None,
    show: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    before: FromQuery[int | None] = None,
) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    _, chosen = await service.site_scope(ctx, staff.actor, site)
    closed = {"open": False, "closed": True}.get(show or "")
    search = (q or "").strip()[:200] or None
    rows = await service.list_threads(
        ctx, staff.actor, site=chosen, closed=closed, search=search, before_id=before
    )
    values = await frame(request, staff, "threads")
    query = urlencode({k: v for k, v in {"site": site, "show": show, "q": search}.items() if v})
    return page(
        "threads.html",
        **values,
        threads=rows,
        show=show or "",
        search=search or "",
        chosen_site=chosen,
        more=rows[-1].id if len(rows) == 50 else None,
        query=query,
        default_close=ctx.settings.moderation.close_after_days,
    )


@post("/threads/{thread_id:int}", include_in_schema=False, status_code=303)
async def thread_action(request: Request[Any, Any, Any], thread_id: FromPath[int]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    action = form.get("action", limit=10)
    if action not in ("close", "open"):
        raise ActionInvalid.at("action", "Choose close or open")
    await moderation_service.set_thread_closed(
        ctx_of(request), staff.actor, thread_id, closed=action == "close", note=form.optional("note")
    )
    return after(form.get("back", limit=2000) or "/admin/threads", action)


# --- bans ------------------------------------------------------------------------------------------------


@get("/bans", include_in_schema=False)
async def bans_view(
    request: Request[Any, Any, Any],
    site: FromQuery[str | None] = None,
    comment: FromQuery[str | None] = None,
    all: FromQuery[bool] = False,
    back: FromQuery[str | None] = None,
) -> Response[str]:
    """The bans in force (or every ban), and the form to ban, prefilled from a comment's author."""
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    _, chosen = await service.site_scope(ctx, staff.actor, site)
    prefill: dict[str, Any] = {
        "identity": "",
        "email": "",
        "ip": "",
        "network": "",
        "site": site or "",
        "name": "",
    }
    if comment:
        detail = await moderation_service.comment_detail(ctx, staff.actor, comment)
        c = detail.comment
        # A network is shared by many readers: it is filled in only when nothing else names the author.
        prefill = {
            "identity": c.identity_id or "",
            "email": c.author_email or "",
            "ip": "" if (c.identity_id or c.author_email) else (c.ip or ""),
            "network": c.ip or "",
            "site": (await ctx.sites.by_id(c.site_id)).name,
            "name": c.author_name,
        }
    rows = await service.list_bans(ctx, staff.actor, site=chosen, active_only=not all)
    values = await frame(request, staff, "bans")
    return page(
        "bans.html",
        **values,
        bans=rows,
        prefill=prefill,
        show_all=all,
        chosen_site=chosen,
        now=ctx.clock(),
        comment=comment or "",
        back=local_path(back, "/admin/bans"),
    )


@post("/bans", include_in_schema=False, status_code=303)
async def ban_action(request: Request[Any, Any, Any]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    site_name = form.get("site", limit=100)
    site_id = await ctx.sites.scope_named(site_name)
    days = form.number("days", low=1, high=36500)
    result = await moderation_service.ban(
        ctx,
        staff.actor,
        site_id=site_id,
        identity_id=form.optional("identity", limit=64),
        email=form.optional("email", limit=254),
        ip_range=form.optional("ip", limit=64),
        days=days,
        reason=form.optional("reason", limit=500),
        reject_all=form.flag("reject_all"),
    )
    return after(form.get("back", limit=2000) or "/admin/bans", "ban", n=result.rejected)


@post("/bans/{ban_id:int}/lift", include_in_schema=False, status_code=303)
async def lift_action(request: Request[Any, Any, Any], ban_id: FromPath[int]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    await moderation_service.lift_ban(ctx_of(request), staff.actor, ban_id)
    return after(form.get("back", limit=2000) or "/admin/bans", "lift")


# --- the log ---------------------------------------------------------------------------------------------


@get("/log", include_in_schema=False)
async def log_view(
    request: Request[Any, Any, Any], site: FromQuery[str | None] = None, before: FromQuery[int | None] = None
) -> Response[str]:
    """The append-only moderation log, newest first: who, when, what, why."""
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    sites, chosen = await service.site_scope(ctx, staff.actor, site)
    entries: list[dict[str, Any]] = []
    if sites:
        entries = await moderation_service.moderation_log(
            ctx, staff.actor, site_id=chosen.id if chosen else None, limit=100, before_id=before
        )
    values = await frame(request, staff, "log")
    return page(
        "log.html",
        **values,
        entries=entries,
        chosen_site=chosen,
        more=entries[-1]["id"] if len(entries) == 100 else None,
        names=await service.actor_names(ctx, [e["actor"] for e in entries]),
    )


# --- sites -----------------------------------------------------------------------------------------------


@get("/sites", include_in_schema=False)
async def sites_view(request: Request[Any, Any, Any]) -> Response[str]:
    staff = await auth.require_staff(request)
    values = await frame(request, staff, "sites")
    ctx = ctx_of(request)
    email = await subscriptions.staff_email(ctx, staff.identity_id)
    modes: dict[int, str] = {}
    if email is not None and subscriptions.available(ctx):
        for s in values["sites"]:
            if staff.actor.can_moderate(s.id):
                mode = await subscriptions.site_mode(ctx, s.id, email)
                modes[s.id] = mode.value if mode is not None else "off"
    return page(
        "sites.html", **values, can_add=staff.is_global_admin(), notify_modes=modes, notify_email=email
    )


@post("/sites/notify", include_in_schema=False, status_code=303)
async def site_notify(request: Request[Any, Any, Any]) -> Response[str]:
    """A moderator's "email me every new comment" of one site: off, immediately (batched) or a daily digest."""
    staff, form = await auth.staff_post(request)
    site = await _site_for_admin(request, form.get("site", limit=100))
    chosen = form.get("mode", limit=10)
    if chosen not in ("off", "immediate", "digest"):
        raise ActionInvalid.at("mode", "Choose off, immediate or digest")
    mode = None if chosen == "off" else DeliveryMode(chosen)
    await subscriptions.set_site_mode(ctx_of(request), staff.actor, staff.identity_id, site.id, mode)
    return after("/admin/sites", "site")


@post("/sites", include_in_schema=False, status_code=303)
async def site_add(request: Request[Any, Any, Any]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    site = await service.add_site(
        ctx_of(request), staff, form.get("name", limit=100).strip(), list(form.lines("origins", limit=5000))
    )
    return after(f"/admin/sites/{site.name}", "site-add")


async def _site_for_admin(request: Request[Any, Any, Any], name: str) -> Any:
    ctx = ctx_of(request)
    found = await ctx.sites.by_name(name)
    if found is None:
        raise SiteNotFound.named(name)
    return found


@get("/sites/{name:str}", include_in_schema=False)
async def site_view(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[str]:
    staff = await auth.require_staff(request)
    site = await _site_for_admin(request, name)
    staff.actor.require_admin(site.id)
    values = await frame(request, staff, "sites")
    return page(
        "site.html",
        **values,
        site=site,
        m=site.options.moderation,
        premoderation=PREMODERATION,
        reaction_catalog=CATALOG,
        defaults=ctx_of(request).settings.moderation,
        learned=await moderation_service.learned_words(ctx_of(request), staff.actor, site.id),
    )


def _options(form: Form, current: SiteOptions) -> SiteOptions:
    """The settings form as SiteOptions; what the form does not show (e.g. an Akismet key) is kept."""
    chosen = form.get("premoderation", limit=10) or None
    try:
        premoderation = PremoderationMode(chosen) if chosen is not None else None
    except ValueError:
        raise Invalid.field(
            "premoderation", "premoderation-invalid", "Choose one of the listed modes"
        ) from None
    moderation = msgspec.structs.replace(
        current.moderation,
        commenting=form.flag("commenting"),
        premoderation=premoderation,
        premoderate_first=form.number("premoderate_first", low=1, high=1000),
        max_links=form.number("max_links", low=0, high=100),
        min_seconds=form.number("min_seconds", low=0, high=3600),
        reports_to_hold=form.number("reports_to_hold", low=1, high=1000),
        close_after_days=form.number("close_after_days", low=0, high=36500),
        blocked_domains=form.lines("blocked_domains"),
        blocked_words=form.lines("blocked_words"),
        suspect_words=form.lines("suspect_words"),
    )
    depth = form.number("display_depth", low=1, high=10, default=current.display_depth)
    assert depth is not None
    im = current.images

    def limit(name: str, low: int, high: int, default: int) -> int:
        found = form.number(f"images_{name}", low=low, high=high, default=default)
        return default if found is None else found

    images = SiteImages(
        enabled=form.flag("images_enabled"),
        max_count=limit("max_count", 1, 20, im.max_count),
        max_bytes=limit("max_bytes", 1024, 100_000_000, im.max_bytes),
        max_side=limit("max_side", 16, 20000, im.max_side),
        max_pixels=limit("max_pixels", 256, 500_000_000, im.max_pixels),
        max_frames=limit("max_frames", 1, 1000, im.max_frames),
    )
    return msgspec.structs.replace(
        current,
        require_email=form.flag("require_email"),
        gravatar=form.flag("gravatar"),
        allow_guests=form.flag("allow_guests"),
        subscribe_replies=form.flag("subscribe_replies"),
        subscribe_thread=form.flag("subscribe_thread"),
        reactions=check_site_reactions(form.all("reactions", limit=20)),
        like_button=form.flag("like_button"),
        send_webmentions=form.flag("send_webmentions"),
        display_depth=depth,
        moderation=moderation,
        images=images,
    )


@post("/sites/{name:str}", include_in_schema=False, status_code=303)
async def site_save(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    site = await _site_for_admin(request, name)
    staff.actor.require_admin(site.id)
    part = form.get("part", limit=20)
    if part == "origins":
        await service.update_site(
            ctx_of(request),
            staff,
            site,
            add_origins=list(form.lines("add", limit=5000)),
            remove_origins=form.all("remove", limit=300),
            options=None,
        )
    elif part == "settings":
        await service.update_site(
            ctx_of(request),
            staff,
            site,
            add_origins=[],
            remove_origins=[],
            options=_options(form, site.options),
        )
    else:
        raise ActionInvalid.at("part", "Save the origins or the settings")
    return after(f"/admin/sites/{site.name}", "site")


# --- users and roles ---------------------------------------------------------------------------------------


@get("/users", include_in_schema=False)
async def users_view(request: Request[Any, Any, Any]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    values = await frame(request, staff, "users")
    admin_sites = [s for s in values["sites"] if staff.actor.is_admin(s.id)]
    return page(
        "users.html",
        **values,
        roles=await service.list_roles(ctx, staff.actor),
        role_choices=ROLES,
        admin_sites=admin_sites,
        global_admin=staff.is_global_admin(),
        account=ctx.settings.admin.username or None,
    )


@post("/users", include_in_schema=False, status_code=303)
async def role_action(request: Request[Any, Any, Any]) -> Response[str]:
    """Give or take away a role (admins: any role on their sites; moderators: trusted only)."""
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    action = form.get("action", limit=10)
    if action not in ("grant", "revoke"):
        raise ActionInvalid.at("action", "Choose grant or revoke")
    try:
        role = Role(form.get("role", limit=20))
    except ValueError:
        raise Invalid.field("role", "role-invalid", "Choose moderator, admin or trusted") from None
    site_name = form.get("site", limit=100)
    site_id = await ctx.sites.scope_named(site_name)
    identity = await service.find_identity(ctx, form.get("who", limit=254))
    if action == "revoke" and staff.identity_id == identity.id and role is not Role.TRUSTED:
        raise Forbidden("You cannot take away your own role; ask another admin", code="own-role")
    await moderation_service.set_role(
        ctx, staff.actor, identity.id, role, site_id=site_id, granted=action == "grant"
    )
    return after("/admin/users", action)


# --- a person's data (docs/data.md) -------------------------------------------------------------------------


@get("/people", include_in_schema=False)
async def people_view(request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Response[str]:
    """Find a person by email or identity id, to download or delete their data (admins of every site)."""
    staff = await auth.require_staff(request)
    admin_people.require_global_admin(staff.actor)
    values = await frame(request, staff, "people")
    query = q.strip()[:254]
    people = await admin_people.find_people(ctx_of(request), query) if query else []
    return page("people.html", **values, query=query, people=people)


def _person(form: Form) -> dict[str, str | None]:
    identity = form.optional("identity", limit=24)
    email = form.optional("email", limit=254)
    if (identity is None) == (email is None):
        raise Invalid.field("identity", "person-required", "Name one account or one email address")
    return {"identity_id": identity, "email": email.lower() if email else None}


@post("/people/download", include_in_schema=False, status_code=200)
async def people_download(request: Request[Any, Any, Any]) -> Response[Any]:
    staff, form = await auth.staff_post(request)
    document = await admin_people.collect_for_admin(ctx_of(request), staff.actor, **_person(form))
    return attachment(document, "rejoinder-data.json")


@post("/people/erase", include_in_schema=False, status_code=303)
async def people_erase(request: Request[Any, Any, Any]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    try:
        mode = personal_data.KeepComments(form.get("comments", limit=20))
    except ValueError:
        raise ActionInvalid.at("comments", "Choose remove or anonymise") from None
    await admin_people.erase_for_admin(ctx_of(request), staff.actor, mode, **_person(form))
    return after("/admin/people", "erase")


@get("/providers", include_in_schema=False)
async def providers_view(request: Request[Any, Any, Any]) -> Response[str]:
    staff = await auth.require_staff(request)
    values = await frame(request, staff, "providers")
    from rejoinder.web.signin_pages import base_url

    return page(
        "providers.html",
        **values,
        providers=service.providers_of(ctx_of(request).settings),
        base=base_url(request),
    )


# --- event deliveries ------------------------------------------------------------------------------------


@get("/events", include_in_schema=False)
async def events_view(request: Request[Any, Any, Any]) -> Response[str]:
    """Deliveries of domain events that failed for good (dead letters), with a button to retry each."""
    staff = await auth.require_staff(request)
    found = await service.event_deliveries(ctx_of(request), staff)
    values = await frame(request, staff, "events")
    return page("events.html", **values, states=found.counts, dead=found.dead)


@post("/events/{delivery_id:int}/retry", include_in_schema=False, status_code=303)
async def event_retry(request: Request[Any, Any, Any], delivery_id: FromPath[int]) -> Response[str]:
    staff, _ = await auth.staff_post(request)
    await service.retry_delivery(ctx_of(request), staff, delivery_id)
    return after("/admin/events", "retry")


HANDLERS: list[Any] = [
    threads_view,
    thread_action,
    bans_view,
    ban_action,
    lift_action,
    log_view,
    sites_view,
    site_add,
    site_notify,
    site_view,
    site_save,
    users_view,
    role_action,
    people_view,
    people_download,
    people_erase,
    providers_view,
    events_view,
    event_retry,
]
