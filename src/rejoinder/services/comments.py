"""Posting, editing and deleting comments (guest authors with edit tokens). Every new or edited text goes
through the moderation pipeline (services/moderation/) before it is stored."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain import text as markdown
from rejoinder.domain.comments import (
    PUBLIC_STATUSES,
    Author,
    Comment,
    CommentLimits,
    CommentStatus,
    check_edit_window,
    check_parent,
    clean_author,
    clean_text,
    comment_not_found,
    hide_other_sites,
    parent_unavailable,
)
from rejoinder.domain.identity import Identity, anonymize_ip, author_key, identity_avatar_key, visitor_hash
from rejoinder.domain.likes import check_visitor
from rejoinder.domain.sites import Site, SiteGuard
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Forbidden
from rejoinder.events.kinds import Event, EventKind
from rejoinder.moderation.pipeline import Outcome
from rejoinder.moderation.rules import STAFF, Action, Facts, Submission
from rejoinder.ratelimit import Action as Limited
from rejoinder.ratelimit import Scope
from rejoinder.services import images as image_service
from rejoinder.services import moderation
from rejoinder.services.context import Context
from rejoinder.services.moderation.statements import Held, issue_automated_statement
from rejoinder.services.standing import PREMODERATED as standing_hold
from rejoinder.services.standing import standing_of
from rejoinder.services.threads import ThreadRef, event_thread, thread_for_write
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import images as image_store
from rejoinder.store import threads as thread_store
from rejoinder.store.threads import ThreadRow


class NewComment(msgspec.Struct, frozen=True):
    text: str
    parent: str | None
    name: str | None
    email: str | None
    website: str | None
    title: str | None
    # What the comment form adds for moderation (docs/moderation.md): the hidden honeypot field, the
    # token from GET /api/form-token, and `confirm` when the writer posts despite a nudge.
    honeypot: str | None = None
    form_token: str | None = None
    confirm: bool = False
    user_agent: str | None = None
    referrer: str | None = None
    images: tuple[image_service.AttachIn, ...] = ()  # uploads (POST /api/images) to attach, in order


class Posted(msgspec.Struct, frozen=True):
    comment: Comment
    edit_token: str
    reason: str | None = None  # why the comment waits for a moderator, in plain words (when pending)
    reason_code: str | None = None  # the same as a code, for a client that translates it


def limits_for(ctx: Context, site: Site) -> CommentLimits:
    c = ctx.settings.comments
    return CommentLimits(
        max_text_length=c.max_text_length,
        max_name_length=c.max_name_length,
        max_url_length=c.max_url_length,
        max_depth=c.max_depth,
        require_email=site.options.require_email,
    )


def render(text: str) -> tuple[str, str]:
    """The text's HTML and the hash the repeat check compares: the CPU-heavy part of taking a text
    (tens of milliseconds for 10,000 characters), run through `ctx.cpu`, off the event loop."""
    return markdown.render(text), moderation.text_hash_of(text)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    check_text_field(title, "title")
    title = " ".join(title.split())[:500]
    return title or None


async def post_comment(
    ctx: Context,
    ref: ThreadRef,
    new: NewComment,
    *,
    visitor: str | None,
    ip: str | None,
    reader: Identity | None = None,
    link: Callable[[AsyncConnection, Comment], Awaitable[None]] | None = None,
) -> Posted:
    """Post as a guest (name/email/website from `new`) or, with `reader`, as a signed-in identity: then
    the comment shows the identity's name, profile URL and avatar, and follows later renames. `link` runs
    in the transaction that stores the comment (e.g. to record the remote object it came from): what it
    raises rolls the comment back."""
    site = ref.site
    if reader is None and not site.options.allow_guests:
        raise Forbidden(
            "This site does not accept guest comments; sign in to comment", code="guests-disabled"
        )
    limits = limits_for(ctx, site)
    text = clean_text(new.text, limits)
    if reader is None:
        name, email, website = clean_author(new.name, new.email, new.website, limits)
    else:
        name, email, website = reader.display_name, reader.email, reader.profile_url
    title = _clean_title(new.title)
    wanted = image_service.check_attachments(site, list(new.images))
    if new.parent is not None:
        check_text_field(new.parent, "parent")
    visitor_id = check_visitor(visitor) if visitor else None
    now = ctx.clock()
    token = ctx.token(24)
    key = (
        identity_avatar_key(ctx.id_key, reader.id)
        if reader
        else author_key(ctx.id_key, site.id, email=email, name=name, visitor=visitor_id)
    )
    # Rate limits first: a flood is refused before any database work.
    await moderation.admit(
        ctx,
        Limited.COMMENT,
        {Scope.IP: ip, Scope.IDENTITY: reader.id if reader else None, Scope.THREAD: ref.lookup},
    )
    form_state, form_age = moderation.read_form_token(ctx, new.form_token)
    html, text_hash = await ctx.cpu.run(render, text)
    sub = Submission(
        site_id=site.id,
        text=text,
        html=html,
        author_name=name,
        author_key=key,
        now=now,
        email=email,
        email_hash=moderation.email_hash_of(ctx, email),
        website=website,
        identity_id=reader.id if reader else None,
        ip=ip,
        parent=new.parent,
        thread_url=ref.uri,
        thread_title=title,
        confirmed=new.confirm,
        honeypot=new.honeypot,
        form_token=form_state,
        form_age=form_age,
        user_agent=new.user_agent,
        referrer=new.referrer,
    )
    # The checks read what they need first and run outside the write transaction: an external check
    # may take seconds, and SQLite has one writer.
    async with store_engine.quick_read(ctx.engine) as conn:  # a few indexed statements, on the loop
        # A moderator's warning not yet acknowledged refuses the post (services/standing.py).
        standing = await standing_of(conn, site.id, identity_id=sub.identity_id, email_hash=sub.email_hash)
        facts = await moderation.load_facts(
            ctx, conn, sub, site, thread_id=None, uri=ref.uri, key=ref.key, text_hash=text_hash
        )
    outcome = await moderation.judge(ctx, site, sub, facts)  # raises when the text is refused
    if standing.premoderated and outcome.action is not Action.HOLD:
        # "Always pre-moderate this commenter": held whatever the checks and the classifier said.
        outcome = msgspec.structs.replace(
            outcome, action=Action.HOLD, findings=(standing_hold, *outcome.findings)
        )
    status = moderation.status_after(outcome, None)
    staff = bool(facts.roles & STAFF)
    async with store_engine.write(ctx.engine) as conn:
        thread = await thread_for_write(conn, ref, title=title, now=now)
        assert thread is not None
        if title and title != thread.title:
            await thread_store.update_thread_title(conn, thread.id, title)
        parent = None
        if new.parent is not None:
            found = await comment_store.select_comment(conn, new.parent)
            if found is None:
                raise parent_unavailable()
            parent = found[0]
        depth = check_parent(parent, thread.id, limits)
        attached = await image_service.attachments(conn, site, wanted)
        comment = Comment(
            id=ctx.token(9),
            thread_id=thread.id,
            parent=parent.id if parent else None,
            text=text,
            html=html,
            author=Author(name=name, email=email, website=website, key=key),
            status=status,
            created=now,
            edited=None,
            likes=0,
            depth=depth,
            staff=staff,  # what a read shows: the answer to the POST says the same
            images=tuple(ref for _, ref in attached),
        )
        await comment_store.insert_comment(
            conn,
            comment,
            visitor_hash=visitor_hash(ctx.id_key, visitor_id) if visitor_id else None,
            edit_token_hash=_token_hash(token),
            ip=anonymize_ip(ip),
            identity_id=reader.id if reader else None,
        )
        await image_store.attach(conn, comment.id, attached)
        if link is not None:
            await link(conn, comment)
        held_by = Held(id=comment.id, site_id=site.id, identity_id=reader.id if reader else None)
        events = await store_new(ctx, conn, thread, comment, outcome, held_by, text_hash=text_hash)
    ctx.outbox.committed(*events)
    if reader is None and email and site.options.gravatar and ctx.avatars is not None:
        await ctx.avatars.remember(comment.author.key, site.id, email)
    held = outcome.decisive if status is CommentStatus.PENDING else None
    return Posted(
        comment=comment,
        edit_token=token,
        reason=held.detail if held else None,
        reason_code=held.code if held else None,
    )


async def _authorised(
    ctx: Context,
    conn: AsyncConnection,
    comment_id: str,
    token: str | None,
    site_guard: SiteGuard | None = None,
) -> Comment:
    check_text_field(comment_id, "id")
    found = await comment_store.select_comment(conn, comment_id)
    if found is None or found[0].status is CommentStatus.DELETED:
        raise comment_not_found()
    comment, token_hash = found
    guard = hide_other_sites(site_guard)
    if guard is not None:
        thread = await thread_store.select_thread_by_id(conn, comment.thread_id)
        if thread is not None:
            guard(await ctx.sites.by_id(thread.site_id))
    authorised = (
        token is not None and token_hash is not None and hmac.compare_digest(_token_hash(token), token_hash)
    )
    if not authorised and comment.status not in PUBLIC_STATUSES:
        raise comment_not_found()  # only its author (the token) may learn that a held comment exists
    if not token:
        raise Forbidden(
            "Send the comment's edit token in the Rejoinder-Edit-Token header", code="edit-token-required"
        )
    if not authorised:
        raise Forbidden("The edit token does not match this comment", code="edit-token-invalid")
    check_edit_window(comment.created, ctx.clock(), ctx.settings.comments.edit_window_seconds)
    return comment


async def replace_text(ctx: Context, comment_id: str, text: str) -> Comment | None:
    """A new text its author sent from elsewhere (an ActivityPub Update): checked like an edit, with no
    edit token and no edit window (the remote server vouches for its author). None when it is gone."""
    async with store_engine.read(ctx.engine) as conn:
        comment = await live_comment(conn, comment_id)
        if comment is None:
            return None
        edit = await _check_edit(ctx, conn, comment, text, email=None, ip=None, confirmed=True)
    outcome = await moderation.judge(ctx, edit.site, edit.sub, edit.facts)
    async with store_engine.write(ctx.engine) as conn:
        comment = await live_comment(conn, comment_id)
        if comment is None:
            return None
        status, events = await store_edit(ctx, conn, comment, edit, outcome, staff=False)
    ctx.outbox.committed(*events)
    return msgspec.structs.replace(
        comment, text=edit.sub.text, html=edit.sub.html, edited=edit.sub.now, status=status
    )


async def remove_comment(ctx: Context, comment_id: str, *, by: str) -> bool:
    """Delete a comment on its author's word from elsewhere (an ActivityPub Delete); False when gone."""
    async with store_engine.write(ctx.engine) as conn:
        comment = await live_comment(conn, comment_id)
        if comment is None:
            return False
        event = await delete_in(ctx, conn, comment, by=by)
    ctx.outbox.committed(event)
    return True


async def edit_comment(
    ctx: Context,
    comment_id: str,
    text: str,
    *,
    token: str | None,
    ip: str | None = None,
    confirm: bool = False,
    site_guard: SiteGuard | None = None,
) -> Comment:
    """Replace the text; the new text is checked like a new comment (a hold takes it off the page).
    `site_guard` is called with the comment's site before the edit token is checked."""
    async with store_engine.read(ctx.engine) as conn:
        comment = await _authorised(ctx, conn, comment_id, token, site_guard)
        edit = await _check_edit(
            ctx, conn, comment, text, email=comment.author.email, ip=ip, confirmed=confirm
        )
    outcome = await moderation.judge(
        ctx, edit.site, edit.sub, edit.facts
    )  # raises when the new text is refused
    staff = bool(edit.facts.roles & STAFF)
    async with store_engine.write(ctx.engine) as conn:
        comment = await _authorised(ctx, conn, comment_id, token)
        status, events = await store_edit(ctx, conn, comment, edit, outcome, staff=staff)
    ctx.outbox.committed(*events)
    return msgspec.structs.replace(
        comment, text=edit.sub.text, html=edit.sub.html, edited=edit.sub.now, status=status, staff=staff
    )


async def delete_comment(
    ctx: Context, comment_id: str, *, token: str | None, site_guard: SiteGuard | None = None
) -> None:
    async with store_engine.write(ctx.engine) as conn:
        comment = await _authorised(ctx, conn, comment_id, token, site_guard)
        event = await delete_in(ctx, conn, comment, by="author")
    ctx.outbox.committed(event)


class Edit(msgspec.Struct, frozen=True):
    """A new text for a comment, cleaned, rendered and with the facts its moderation reads."""

    thread: ThreadRow
    site: Site
    sub: Submission
    facts: Facts
    text_hash: str
    revision: int


async def live_comment(conn: AsyncConnection, comment_id: str) -> Comment | None:
    """The comment unless it is unknown or deleted."""
    found = await comment_store.select_comment(conn, comment_id)
    if found is None or found[0].status is CommentStatus.DELETED:
        return None
    return found[0]


async def _check_edit(
    ctx: Context,
    conn: AsyncConnection,
    comment: Comment,
    text: str,
    *,
    email: str | None,
    ip: str | None,
    confirmed: bool,
) -> Edit:
    """Clean and render an edit's text and load what moderation reads about it (in the read transaction)."""
    thread = await thread_store.select_thread_by_id(conn, comment.thread_id)
    assert thread is not None
    site = await ctx.sites.by_id(thread.site_id)
    clean = clean_text(text, limits_for(ctx, site))
    html, text_hash = await ctx.cpu.run(render, clean)
    current = await moderation.moderated(conn, comment.id)
    sub = Submission(
        site_id=site.id,
        text=clean,
        html=html,
        author_name=comment.author.name,
        author_key=comment.author.key,
        now=ctx.clock(),
        email=email,
        email_hash=moderation.email_hash_of(ctx, email),
        website=comment.author.website,
        identity_id=current.identity_id,
        ip=ip,
        parent=comment.parent,
        thread_url=thread.uri,
        thread_title=thread.title,
        edit_of=comment.id,
        confirmed=confirmed,
    )
    facts = await moderation.load_facts(ctx, conn, sub, site, thread_id=thread.id, text_hash=text_hash)
    return Edit(thread, site, sub, facts, text_hash, current.revision)


async def store_new(
    ctx: Context,
    conn: AsyncConnection,
    thread: ThreadRow,
    comment: Comment,
    outcome: Outcome,
    held_by: Held,
    *,
    text_hash: str,
    event_data: Mapping[str, str] | None = None,
) -> list[Event | None]:
    """After a new comment is inserted (in the write transaction): its first revision, the thread's counts
    and its events: COMMENT_POSTED (with `event_data` added), and a statement of reasons (about `held_by`)
    when it is held."""
    await moderation.record(
        conn,
        comment.id,
        revision=0,
        text=comment.text,
        now=comment.created,
        outcome=outcome,
        status=comment.status,
        text_hash=text_hash,
        staff=comment.staff,
    )
    if comment.status in PUBLIC_STATUSES:
        await thread_store.add_to_thread_counts(conn, thread.id, comments=1)
    data = {"status": comment.status.value, "parent": comment.parent, **(event_data or {})}
    events: list[Event | None] = [
        await ctx.outbox.add(
            conn, EventKind.COMMENT_POSTED, thread=event_thread(thread), subject=comment.id, data=data
        )
    ]
    if comment.status is CommentStatus.PENDING:  # only held comments pay for a statement of reasons
        events.append(
            await issue_automated_statement(ctx, conn, held_by, outcome.findings, now=comment.created)
        )
    return events


async def store_edit(
    ctx: Context,
    conn: AsyncConnection,
    comment: Comment,
    edit: Edit,
    outcome: Outcome,
    *,
    staff: bool,
    event_data: Mapping[str, str] | None = None,
) -> tuple[CommentStatus, list[Event | None]]:
    """Store a judged edit, its revision, the thread's new counts and its events (in the write transaction):
    the edit's (with `event_data` added), and a statement of reasons when an automated check held a public
    comment."""
    sub = edit.sub
    status = moderation.status_after(outcome, comment.status)
    await comment_store.update_comment_text(conn, comment.id, sub.text, sub.html, sub.now)
    await moderation.record(
        conn,
        comment.id,
        revision=edit.revision + 1,
        text=sub.text,
        now=sub.now,
        outcome=outcome,
        status=status,
        text_hash=edit.text_hash,
        staff=staff,
    )
    delta = int(status in PUBLIC_STATUSES) - int(comment.status in PUBLIC_STATUSES)
    if delta:
        await thread_store.add_to_thread_counts(conn, edit.thread.id, comments=delta)
    events: list[Event | None] = [
        await ctx.outbox.add(
            conn,
            EventKind.COMMENT_EDITED,
            thread=event_thread(edit.thread),
            subject=comment.id,
            data={"status": status.value, "previous": comment.status.value, **(event_data or {})},
        )
    ]
    if status is CommentStatus.PENDING and comment.status in PUBLIC_STATUSES:
        # A public comment an automated check held on its new text: restricted now, with its statement.
        held_by = Held(id=comment.id, site_id=edit.site.id, identity_id=sub.identity_id)
        events.append(await issue_automated_statement(ctx, conn, held_by, outcome.findings, now=sub.now))
    return status, events


async def delete_in(ctx: Context, conn: AsyncConnection, comment: Comment, *, by: str) -> Event:
    """Delete a comment in the caller's write transaction: its thread's counts and its event (`by` whom)."""
    thread = await thread_store.select_thread_by_id(conn, comment.thread_id)
    assert thread is not None
    await comment_store.mark_deleted(conn, comment.id, ctx.clock())
    if comment.status in PUBLIC_STATUSES:
        await thread_store.add_to_thread_counts(conn, thread.id, comments=-1)
    return await ctx.outbox.add(
        conn,
        EventKind.COMMENT_DELETED,
        thread=event_thread(thread),
        subject=comment.id,
        data={"previous": comment.status.value, "by": by},
    )
