"""/admin/fediverse: the fediverse instances (domains) every inbox refuses. An admin of every site lists,
blocks and unblocks them, as `rejoinder activitypub block|unblock|blocked` does, with the same validation
(services/activitypub/blocks.py); each change is in the moderation log."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from rejoinder.errors import NotAnAdmin
from rejoinder.services import admin as admin_service
from rejoinder.services.activitypub import blocks
from rejoinder.services.admin_auth import Staff
from rejoinder.web.admin import auth
from rejoinder.web.admin.render import page
from rejoinder.web.admin.routes import after, frame
from rejoinder.web.wire import ctx_of


def _global_admin(staff: Staff) -> None:
    if not staff.is_global_admin():
        raise NotAnAdmin("Only an admin of every site can block or unblock fediverse instances")


@get("/fediverse", include_in_schema=False)
async def fediverse_view(request: Request[Any, Any, Any]) -> Response[str]:
    """The blocked instances, with who blocked each, when and why, and the form to block one."""
    staff = await auth.require_staff(request)
    _global_admin(staff)
    ctx = ctx_of(request)
    found = await blocks.blocked_in_detail(ctx)
    values = await frame(request, staff, "fediverse")
    names = await admin_service.actor_names(ctx, [b.created_by for b in found])
    return page("fediverse.html", **values, blocked=found, names=names)


@post("/fediverse/block", include_in_schema=False, status_code=303)
async def fediverse_block(request: Request[Any, Any, Any]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    _global_admin(staff)
    _, added = await blocks.block(
        ctx_of(request),
        form.get("domain", limit=300),
        reason=form.optional("reason", limit=blocks.MAX_REASON),
        by=staff.actor.id,
    )
    return after("/admin/fediverse", "instance-block" if added else "instance-block-again")


@post("/fediverse/unblock", include_in_schema=False, status_code=303)
async def fediverse_unblock(request: Request[Any, Any, Any]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    _global_admin(staff)
    removed = await blocks.unblock(ctx_of(request), form.get("domain", limit=300), by=staff.actor.id)
    return after("/admin/fediverse", "instance-unblock" if removed else "instance-unblock-none")


HANDLERS: list[Any] = [fediverse_view, fediverse_block, fediverse_unblock]
