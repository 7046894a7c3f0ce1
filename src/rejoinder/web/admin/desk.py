"""/admin's moderation desk: the comment search with saved filters, a moderator's edit of a comment's text,
and the commenter page (their history, shared notes, warnings, always pre-moderate). HTTP only: the use
cases are services/admin_desk.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.search import parse_search
from rejoinder.errors import ActionInvalid, Invalid
from rejoinder.services import admin_desk as desk
from rejoinder.web.admin import auth
from rejoinder.web.admin.render import page
from rejoinder.web.admin.routes import after, frame
from rejoinder.web.wire import ctx_of

STATUSES = [s.value for s in CommentStatus]


def _offset(value: str | None) -> int:
    if not value:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= 5):
        raise Invalid.field("offset", "search-offset-invalid", f"offset is 0 to {desk.MAX_OFFSET}")
    return int(value)


@get("/search", include_in_schema=False)
async def search_view(
    request: Request[Any, Any, Any],
    q: FromQuery[str | None] = None,
    author: FromQuery[str | None] = None,
    identity: FromQuery[str | None] = None,
    status: FromQuery[list[str] | None] = None,
    site: FromQuery[str | None] = None,
    offset: FromQuery[str | None] = None,
    saved: FromQuery[str | None] = None,
) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    # `from` is a keyword in Python: the form's date fields are read from the query string by name.
    params = request.query_params
    query = parse_search(
        words=q,
        author=author,
        identity=identity,
        statuses=status or [],
        site=site,
        date_from=params.get("from"),
        date_to=params.get("to"),
    )
    start = _offset(offset)
    results = await desk.search(ctx, staff.actor, query, offset=start) if not query.empty else None
    values = await frame(request, staff, "search")
    filters = await desk.saved_filters(ctx, staff.actor)
    again = urlencode(query.params(), doseq=True)
    return page(
        "search.html",
        **values,
        query=query,
        results=results,
        offset=start,
        page_size=desk.PAGE,
        statuses=STATUSES,
        saved_filters=[(f, urlencode(f.query, doseq=True)) for f in filters],
        again=again,
        saved=saved or "",
    )


@post("/search/filters", include_in_schema=False, status_code=303)
async def save_filter(request: Request[Any, Any, Any]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    if form.get("action", limit=20) == "delete":
        filter_id = form.number("id", low=1, high=2**62)
        if filter_id is None:
            raise Invalid.field("id", "filter-not-found", "Choose a saved filter to remove")
        await desk.delete_filter(ctx, staff.actor, filter_id)
        return after("/admin/search", "filter-delete")
    query = parse_search(
        words=form.get("q", limit=600),
        author=form.get("author", limit=300),
        identity=form.get("identity", limit=30),
        statuses=form.all("status", limit=20),
        site=form.get("site", limit=100),
        date_from=form.get("from", limit=20),
        date_to=form.get("to", limit=20),
    )
    name = form.get("name", limit=200)
    await desk.save_filter(ctx, staff.actor, name, query)
    return after("/admin/search?" + urlencode(query.params(), doseq=True), "filter-save")


@post("/comments/{comment_id:str}/edit", include_in_schema=False, status_code=303)
async def edit_comment(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[str]:
    staff, form = await auth.staff_post(request)
    await desk.edit_comment(
        ctx_of(request),
        staff.actor,
        comment_id,
        form.get("text", limit=100_000),
        note=form.optional("note", limit=2000),
    )
    return after(f"/admin/comments/{comment_id}", "edit")


@get("/commenters/{comment_id:str}", include_in_schema=False)
async def commenter_view(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[str]:
    """The author of a comment: named by the comment, so that no address ever appears in a URL."""
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    found = await desk.commenter_page(ctx, staff.actor, comment_id)
    values = await frame(request, staff, "search")
    return page("commenter.html", **values, found=found, who=found.commenter)


@post("/commenters/{comment_id:str}", include_in_schema=False, status_code=303)
async def commenter_action(request: Request[Any, Any, Any], comment_id: FromPath[str]) -> Response[str]:
    """warn (with a message), premoderate / unpremoderate, note (with a text)."""
    staff, form = await auth.staff_post(request)
    ctx = ctx_of(request)
    action = form.get("action", limit=20)
    if action == "warn":
        await desk.warn(ctx, staff.actor, comment_id, form.get("message", limit=5000))
    elif action in ("premoderate", "unpremoderate"):
        await desk.set_premoderation(ctx, staff.actor, comment_id, on=action == "premoderate")
    elif action == "note":
        await desk.add_note(ctx, staff.actor, comment_id, form.get("text", limit=10_000))
    else:
        raise ActionInvalid.at("action", "Choose warn, premoderate, unpremoderate or note")
    return after(f"/admin/commenters/{comment_id}", action)


HANDLERS: list[Any] = [search_view, save_filter, edit_comment, commenter_view, commenter_action]
