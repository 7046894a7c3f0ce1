"""POST /api/comments, PATCH and DELETE /api/comments/{id}: comments with edit tokens; GET /api/form-token:
the token a comment form carries for the moderation pipeline's minimum-time check."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from rejoinder.services import comments as service
from rejoinder.services import moderation
from rejoinder.services.accounts import on_site, optional_reader
from rejoinder.services.images import AttachIn
from rejoinder.services.threads import resolve_ref
from rejoinder.web.params import WHO, EditTokenHeader, ReaderHeaders
from rejoinder.web.wire import (
    CommentOut,
    check_origin,
    client_ip,
    comment_out,
    ctx_of,
    origin_guard,
    rfc3339,
)


class AuthorIn(msgspec.Struct):
    name: str | None = None
    email: str | None = None
    website: str | None = None


class ImageIn(msgspec.Struct):
    id: str
    alt: str | None = None


class CommentIn(msgspec.Struct):
    text: str
    url: str | None = None
    key: str | None = None
    site: str | None = None
    title: str | None = None
    parent: str | None = None
    author: AuthorIn | None = None
    # Moderation (docs/moderation.md): the form's hidden field (people leave it empty), the token from
    # GET /api/form-token, and confirm=true to post despite a "comment-needs-revision" answer.
    honeypot: str | None = None
    form_token: str | None = None
    confirm: bool = False
    # Images uploaded with POST /api/images, in the order shown, each with an optional text alternative.
    images: list[ImageIn] = msgspec.field(default_factory=list)


class PostedOut(CommentOut, omit_defaults=True, kw_only=True):
    edit_token: str
    edit_until: str
    reason: str | None = None  # why a pending comment waits for a moderator, in plain words
    reason_code: str | None = None  # the same as a code (`reasons` of the locale files) to translate by


class CommentEdit(msgspec.Struct):
    text: str
    confirm: bool = False


class FormTokenOut(msgspec.Struct):
    token: str


@post("/api/comments", summary="Post a comment", tags=["comments"], status_code=201, dependencies=WHO)
async def create_comment(
    request: Request[Any, Any, Any],
    data: JSONBody[CommentIn],
    who: NamedDependency[ReaderHeaders],
) -> PostedOut:
    """Create a comment (or a reply, with `parent`). Answers 201 with the comment and its `edit_token`,
    which the author sends in `Rejoinder-Edit-Token` to edit or delete within the edit window. With
    `Authorization: Bearer <session>` the comment is the signed-in identity's and `author` is ignored."""
    ctx = ctx_of(request)
    signed = await optional_reader(ctx, who.authorization)
    ref = await resolve_ref(ctx, url=data.url, key=data.key, site=data.site)
    check_origin(request, ref)
    reader = on_site(signed, ref.site)  # a session of another site's SSO is refused here
    author = data.author or AuthorIn()
    posted = await service.post_comment(
        ctx,
        ref,
        service.NewComment(
            text=data.text,
            parent=data.parent,
            name=author.name,
            email=author.email,
            website=author.website,
            title=data.title,
            honeypot=data.honeypot,
            form_token=data.form_token,
            confirm=data.confirm,
            user_agent=request.headers.get("user-agent"),
            referrer=request.headers.get("referer"),
            images=tuple(AttachIn(id=i.id, alt=i.alt) for i in data.images),
        ),
        visitor=who.visitor,
        ip=client_ip(request),
        reader=reader,
    )
    out = comment_out(ctx, posted.comment)
    until = posted.comment.created + ctx.settings.comments.edit_window_seconds * 1_000_000
    return PostedOut(
        **msgspec.structs.asdict(out),
        edit_token=posted.edit_token,
        edit_until=rfc3339(until),
        reason=posted.reason,
        reason_code=posted.reason_code,
    )


@patch("/api/comments/{comment_id:str}", summary="Edit one's comment", tags=["comments"])
async def edit_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    data: JSONBody[CommentEdit],
    edit_token: EditTokenHeader = None,
) -> CommentOut:
    """Replace the text of one's own comment, within the edit window."""
    ctx = ctx_of(request)
    comment = await service.edit_comment(
        ctx,
        comment_id,
        data.text,
        token=edit_token,
        ip=client_ip(request),
        confirm=data.confirm,
        site_guard=origin_guard(request),
    )
    return comment_out(ctx, comment)


@delete("/api/comments/{comment_id:str}", summary="Delete one's comment", tags=["comments"])
async def delete_comment(
    request: Request[Any, Any, Any],
    comment_id: FromPath[str],
    edit_token: EditTokenHeader = None,
) -> Response[None]:
    """Delete one's own comment within the edit window; one with replies stays as a placeholder."""
    ctx = ctx_of(request)
    await service.delete_comment(ctx, comment_id, token=edit_token, site_guard=origin_guard(request))
    return Response(content=None, status_code=204)


@get("/api/form-token", summary="Get a comment form token", tags=["comments"], cache_control=None)
async def form_token(request: Request[Any, Any, Any]) -> Response[FormTokenOut]:
    """A signed token saying when a comment form was shown. The widget fetches one when it shows a
    form and sends it as `form_token`; a comment sent sooner than [moderation] min_seconds after is
    refused with `comment-refused`."""
    token = moderation.issue_form_token(ctx_of(request))
    return Response(FormTokenOut(token=token), headers={"Cache-Control": "no-store"})
