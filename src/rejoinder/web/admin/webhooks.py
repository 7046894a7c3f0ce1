"""/admin/webhooks: a site's admins list, add, re-key, turn off and on, and remove webhook endpoints, read
each one's delivery log and redeliver an event. HTTP only: the rules are in services/webhooks.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from rejoinder.domain.webhooks import ALL_TYPES
from rejoinder.errors import ActionInvalid, SiteNotFound
from rejoinder.services import webhooks as service
from rejoinder.web.admin import auth
from rejoinder.web.admin.render import page
from rejoinder.web.admin.routes import after, frame
from rejoinder.web.wire import ctx_of


@get("/webhooks", include_in_schema=False)
async def webhooks_view(request: Request[Any, Any, Any]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    scope = await service.admin_scope(ctx, staff.actor)
    found = await service.list_endpoints(ctx, site_ids=scope)
    values = await frame(request, staff, "webhooks")
    admin_sites = [s for s in values["sites"] if scope is None or s.id in scope]
    return page(
        "webhooks.html", **values, endpoints=found, admin_sites=admin_sites, types=ALL_TYPES, made=None
    )


@post("/webhooks", include_in_schema=False, status_code=200)
async def webhook_add(request: Request[Any, Any, Any]) -> Response[str]:
    """Adds an endpoint and shows its secret, once (the page is not kept in history: no redirect)."""
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    scope = await service.admin_scope(ctx, staff.actor)
    site = await ctx.sites.by_name(form.get("site", limit=100))
    if site is None or (scope is not None and site.id not in scope):
        raise SiteNotFound.named(form.get("site", limit=100))
    made = await service.add_endpoint(
        ctx,
        site.id,
        form.get("url", limit=3000),
        events=form.all("events"),
        description=form.get("description", limit=1000),
    )
    found = await service.list_endpoints(ctx, site_ids=scope)
    values = await frame(request, staff, "webhooks")
    admin_sites = [s for s in values["sites"] if scope is None or s.id in scope]
    return page(
        "webhooks.html",
        extra={"Cache-Control": "no-store"},
        **values,
        endpoints=found,
        admin_sites=admin_sites,
        types=ALL_TYPES,
        made=made,
    )


@get("/webhooks/{endpoint_id:int}", include_in_schema=False)
async def webhook_view(request: Request[Any, Any, Any], endpoint_id: FromPath[int]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    scope = await service.admin_scope(ctx, staff.actor)
    found = await service.endpoint(ctx, endpoint_id, site_ids=scope)
    attempts = await service.attempts_of(ctx, endpoint_id, site_ids=scope)
    values = await frame(request, staff, "webhooks")
    return page("webhook.html", **values, e=found, attempts=attempts, secret=None)


@post("/webhooks/{endpoint_id:int}", include_in_schema=False, status_code=303)
async def webhook_action(request: Request[Any, Any, Any], endpoint_id: FromPath[int]) -> Response[str]:
    """action = rotate (shows the new secret once), enable, disable, remove, or redeliver (with `event`)."""
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    scope = await service.admin_scope(ctx, staff.actor)
    action = form.get("action", limit=20)
    back = f"/admin/webhooks/{endpoint_id}"
    if action == "rotate":
        made = await service.rotate_secret(ctx, endpoint_id, site_ids=scope)
        attempts = await service.attempts_of(ctx, endpoint_id, site_ids=scope)
        values = await frame(request, staff, "webhooks")
        shown = page(
            "webhook.html",
            extra={"Cache-Control": "no-store"},
            **values,
            e=made,
            attempts=attempts,
            secret=made.secret,
        )
        shown.status_code = 200  # the new secret is shown once, not after a redirect
        return shown
    if action in ("enable", "disable"):
        await service.set_enabled(ctx, endpoint_id, action == "enable", site_ids=scope)
    elif action == "remove":
        await service.remove_endpoint(ctx, endpoint_id, site_ids=scope)
        return after("/admin/webhooks", "webhook-remove")
    elif action == "redeliver":
        await service.redeliver(ctx, endpoint_id, form.get("event", limit=64).strip(), site_ids=scope)
    else:
        raise ActionInvalid.at("action", "Choose rotate, enable, disable, remove or redeliver")
    return after(back, f"webhook-{action}")


HANDLERS: list[Any] = [webhooks_view, webhook_add, webhook_view, webhook_action]
