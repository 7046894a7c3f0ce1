"""The moderation desk of /admin: full-text search over comments, a moderator's edit of a comment's text
(every revision kept), and actions on a commenter (warn, always pre-moderate, shared notes, their
history), plus saved filters. Each action is one transaction that writes the moderation log and a domain
event. What these mean when the commenter posts is services/standing.py."""

from __future__ import annotations

from typing import Any

import msgspec

from rejoinder.domain.comments import CommentStatus, clean_text
from rejoinder.domain.search import CommentSearch, parse_search
from rejoinder.errors import CommentDeleted, Invalid, NotFound, SiteNotFound
from rejoinder.events.kinds import EventKind
from rejoinder.moderation import actions as rules
from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.services import comments as comment_service
from rejoinder.services import moderation as moderation_service
from rejoinder.services.context import Context
from rejoinder.services.moderation.decisions import LogTarget, log_action
from rejoinder.services.threads import event_thread_by_id
from rejoinder.store import desk as store
from rejoinder.store import engine as store_engine
from rejoinder.store import search as search_store

MAX_NOTE = 2000
MAX_WARNING = 1000
MAX_PUBLIC_NOTE = 500
MAX_FILTERS = 50
PAGE = 50
MAX_OFFSET = 1000


# --- search --------------------------------------------------------------------------------------------


class Results(msgspec.Struct, frozen=True):
    hits: list[search_store.Hit]
    more: bool


async def search(ctx: Context, actor: Actor, query: CommentSearch, *, offset: int = 0) -> Results:
    """Comments matching `query` on the sites the actor moderates (or the one `query.site` names)."""
    if not 0 <= offset <= MAX_OFFSET:
        raise Invalid.field("offset", "search-offset-invalid", f"offset is 0 to {MAX_OFFSET}")
    sites = [s for s in await ctx.sites.all() if actor.can_moderate(s.id)]
    if query.site:
        found = await ctx.sites.by_name(query.site)
        if found is None:
            raise SiteNotFound.named(query.site)
        actor.require_moderator(found.id)
        sites = [found]
    async with store_engine.read(ctx.engine) as conn:
        hits = await search_store.search_comments(
            conn,
            [s.id for s in sites],
            query,
            emails=[query.email] if query.email else (),
            limit=PAGE + 1,
            offset=offset,
        )
    return Results(hits=hits[:PAGE], more=len(hits) > PAGE)


# --- a moderator edits a comment ------------------------------------------------------------------------


class EditResult(msgspec.Struct, frozen=True):
    comment_id: str
    revisions: int


async def edit_comment(
    ctx: Context, actor: Actor, comment_id: str, text: str, *, note: str | None
) -> EditResult:
    """Replace a comment's text as a moderator: the comment keeps its status and shows "edited by a
    moderator" (with `note` when given); the text before is kept as a revision."""
    note = rules.check_note(note, MAX_PUBLIC_NOTE)
    async with store_engine.read(ctx.engine) as conn:
        before = await moderation_service.load_comment(conn, comment_id)
    actor.require_moderator(before.site_id)
    site = await ctx.sites.by_id(before.site_id)
    clean = clean_text(text, comment_service.limits_for(ctx, site))
    html, _ = await ctx.cpu.run(comment_service.render, clean)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        comment = await moderation_service.load_comment(conn, comment_id)
        if comment.status is CommentStatus.DELETED:
            raise CommentDeleted()
        await store.update_text_by_moderator(
            conn,
            comment.id,
            previous_text=comment.text,
            text=clean,
            html=html,
            note=note,
            now=now,
            by=actor.id,
        )
        await log_action(
            conn, comment.site_id, actor.id, ModAction.EDIT, LogTarget("comment", comment.id), now, note=note
        )
        event = await ctx.outbox.add(
            conn,
            EventKind.COMMENT_EDITED,
            thread=await event_thread_by_id(conn, comment.thread_id),
            subject=comment.id,
            data={
                "status": comment.status.value,
                "previous": comment.status.value,
                "by": "moderator",
                "actor": actor.id,
            },
        )
        revisions = len(await store.select_edits(conn, comment.id))
    ctx.outbox.committed(event)
    return EditResult(comment_id=comment.id, revisions=revisions)


async def edits_of(ctx: Context, actor: Actor, comment_id: str) -> list[store.Edit]:
    async with store_engine.read(ctx.engine) as conn:
        comment = await moderation_service.load_comment(conn, comment_id)
        actor.require_moderator(comment.site_id)
        return await store.select_edits(conn, comment.id)


# --- a commenter ------------------------------------------------------------------------------------------


class Commenter(msgspec.Struct, frozen=True):
    """The author of a comment as the desk names them: by identity, else by email, else by author key."""

    comment: queues.ModeratedComment
    subject: store.Subject
    kind: str  # "identity" | "email" | "guest"
    name: str
    email: str | None  # a guest's address (staff eyes only)

    @property
    def can_be_held(self) -> bool:
        """Warnings and always-premoderate need what bans need: an identity or an email."""
        return self.kind != "guest"


class CommenterPage(msgspec.Struct, frozen=True):
    commenter: Commenter
    history: list[store.HistoryItem]
    counts: dict[str, int]
    notes: list[store.Note]
    warnings: list[store.Warning]
    premoderated: bool


async def commenter_of(ctx: Context, actor: Actor, comment_id: str) -> Commenter:
    async with store_engine.read(ctx.engine) as conn:
        comment = await moderation_service.load_comment(conn, comment_id)
    actor.require_moderator(comment.site_id)
    return _commenter(ctx, comment)


def _commenter(ctx: Context, comment: queues.ModeratedComment) -> Commenter:
    if comment.identity_id:
        subject = store.Subject(site_id=comment.site_id, identity_id=comment.identity_id)
        return Commenter(comment, subject, "identity", comment.author_name, None)
    email = (comment.author_email or "").strip().lower() or None
    if email:
        subject = store.Subject(
            site_id=comment.site_id, email_hash=moderation_service.email_hash_of(ctx, email)
        )
        return Commenter(comment, subject, "email", comment.author_name, email)
    subject = store.Subject(site_id=comment.site_id, author_key=comment.author_key)
    return Commenter(comment, subject, "guest", comment.author_name, None)


async def commenter_page(ctx: Context, actor: Actor, comment_id: str) -> CommenterPage:
    """Everything about the author of a comment on its site: every comment, notes, warnings, standing."""
    async with store_engine.read(ctx.engine) as conn:
        comment = await moderation_service.load_comment(conn, comment_id)
        actor.require_moderator(comment.site_id)
        who = _commenter(ctx, comment)
        history = await store.select_history(
            conn,
            comment.site_id,
            identity_id=comment.identity_id,
            email=who.email,
            author_key=comment.author_key if who.kind == "guest" else None,
        )
        notes = await store.select_notes(conn, who.subject)
        warnings = await store.select_warnings(conn, who.subject) if who.can_be_held else []
        premoderated = who.can_be_held and await store.is_premoderated(
            conn,
            comment.site_id,
            identity_id=who.subject.identity_id,
            email_hash=who.subject.email_hash,
        )
    counts: dict[str, int] = {}
    for item in history:
        counts[item.status] = counts.get(item.status, 0) + 1
    return CommenterPage(who, history, counts, notes, warnings, bool(premoderated))


def _held(who: Commenter) -> store.Subject:
    if not who.can_be_held:
        raise Invalid.field(
            "commenter",
            "commenter-unidentified",
            "This guest left no email address: they can be noted, not warned or held (ban their network instead)",
        )
    return who.subject


async def warn(ctx: Context, actor: Actor, comment_id: str, message: str) -> str:
    """Warn the author of a comment: their next post on the site is refused until they acknowledge it."""
    words = " ".join((message or "").split())
    if not words:
        raise Invalid.field("message", "warning-required", "Write the warning the commenter will read")
    if len(words) > MAX_WARNING:
        raise Invalid.field("message", "warning-too-long", f"A warning is at most {MAX_WARNING} characters")
    who = await commenter_of(ctx, actor, comment_id)
    subject = _held(who)
    now = ctx.clock()
    warning_id = ctx.token(16)
    async with store_engine.write(ctx.engine) as conn:
        await store.insert_warning(conn, warning_id, subject, words, now=now, by=actor.id)
        await log_action(conn, subject.site_id, actor.id, ModAction.WARN, _target(who), now, note=words)
        event = await ctx.outbox.add(
            conn,
            EventKind.COMMENTER_WARNED,
            site_id=subject.site_id,
            subject=warning_id,
            data={"comment": who.comment.id, "actor": actor.id},
        )
    ctx.outbox.committed(event)
    return warning_id


async def set_premoderation(ctx: Context, actor: Actor, comment_id: str, *, on: bool) -> bool:
    """Always hold (or stop holding) the new comments of a comment's author on its site."""
    who = await commenter_of(ctx, actor, comment_id)
    subject = _held(who)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        changed = await store.set_premoderated(conn, subject, on, now=now, by=actor.id)
        if not changed:
            return False
        action = ModAction.PREMODERATE if on else ModAction.UNPREMODERATE
        await log_action(conn, subject.site_id, actor.id, action, _target(who), now)
        event = await ctx.outbox.add(
            conn,
            EventKind.COMMENTER_PREMODERATED,
            site_id=subject.site_id,
            data={"on": on, "comment": who.comment.id, "actor": actor.id},
        )
    ctx.outbox.committed(event)
    return True


async def add_note(ctx: Context, actor: Actor, comment_id: str, text: str) -> int:
    """A note on the author of a comment, for every moderator of the site."""
    words = (text or "").strip()
    if not words:
        raise Invalid.field("text", "note-required", "Write the note first")
    if len(words) > MAX_NOTE:
        raise Invalid.field("text", "note-too-long", f"A note is at most {MAX_NOTE} characters")
    who = await commenter_of(ctx, actor, comment_id)
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        note_id = await store.insert_note(conn, who.subject, words, now=now, by=actor.id)
        await log_action(conn, who.subject.site_id, actor.id, ModAction.NOTE, _target(who), now)
        event = await ctx.outbox.add(
            conn,
            EventKind.COMMENTER_NOTED,
            site_id=who.subject.site_id,
            subject=str(note_id),
            data={"comment": who.comment.id, "actor": actor.id},
        )
    ctx.outbox.committed(event)
    return note_id


def _target(who: Commenter) -> LogTarget:
    """What the log names: the identity, or the comment through which a guest was found (never an email)."""
    kind = "identity" if who.kind == "identity" else "comment"
    return LogTarget(kind, who.subject.identity_id or who.comment.id)


# --- saved filters ----------------------------------------------------------------------------------------


async def saved_filters(ctx: Context, actor: Actor) -> list[store.SavedFilter]:
    async with store_engine.read(ctx.engine) as conn:
        return await store.select_saved_filters(conn, actor.id)


async def save_filter(ctx: Context, actor: Actor, name: str, query: CommentSearch) -> int:
    """Save a search under a name (the same name replaces it); a moderator keeps at most MAX_FILTERS."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise Invalid.field("name", "filter-name-invalid", "Name the filter in 1 to 100 characters")
    if query.empty:
        raise Invalid.field("q", "filter-empty", "Search for something before saving the filter")
    async with store_engine.write(ctx.engine) as conn:
        existing = await store.select_saved_filters(conn, actor.id)
        if len(existing) >= MAX_FILTERS and all(f.name != name for f in existing):
            raise Invalid.field("name", "too-many-filters", f"Keep at most {MAX_FILTERS} saved filters")
        return await store.insert_saved_filter(conn, actor.id, name, dict(query.params()), now=ctx.clock())


async def delete_filter(ctx: Context, actor: Actor, filter_id: int) -> None:
    async with store_engine.write(ctx.engine) as conn:
        if not await store.delete_saved_filter(conn, actor.id, filter_id):
            raise NotFound("You have no saved filter with this id", code="filter-not-found")


def query_of(params: dict[str, Any]) -> CommentSearch:
    """A saved filter's search, checked again as if typed."""
    statuses = params.get("status") or []
    return parse_search(
        words=str(params.get("q", "")),
        author=str(params.get("author", "")),
        identity=str(params.get("identity", "")),
        statuses=[str(s) for s in statuses] if isinstance(statuses, list) else [str(statuses)],
        site=str(params.get("site", "")),
        date_from=str(params.get("from", "")),
        date_to=str(params.get("to", "")),
    )
