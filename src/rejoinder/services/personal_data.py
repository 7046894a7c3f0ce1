"""A person's data rights: download everything rejoinder holds about them, and erase it (an account, or the
comments a guest wrote with one email address). The reader's own requests, guests' confirmed requests and
/admin's all end here; who may ask is checked by the callers (web/personal_data.py, services/admin)."""

from __future__ import annotations

import enum
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import msgspec

from rejoinder.domain.comments import PUBLIC_STATUSES, CommentStatus
from rejoinder.domain.identity import Identity
from rejoinder.errors import IdentityNotFound
from rejoinder.events.kinds import Event, EventKind
from rejoinder.services.context import Context
from rejoinder.services.moderation.judging import email_hash_of
from rejoinder.services.threads import event_thread_by_id
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import images as image_store
from rejoinder.store import moderation_log as log_store
from rejoinder.store import personal as store
from rejoinder.store import threads as thread_store

FORMAT = "rejoinder-personal-data"
VERSION = 1
DELETED_AUTHOR = "Deleted user"  # the name kept comments show once their writer erased their account


class KeepComments(enum.StrEnum):
    """What happens to a person's comments when they erase their data."""

    REMOVE = "remove"  # text and author wiped; a placeholder stays only where replies depend on it
    ANONYMISE = "anonymise"  # the text stays, shown as written by "Deleted user", with no tie to the writer


class Erased(msgspec.Struct, frozen=True):
    comments_removed: int
    comments_anonymised: int
    likes_removed: int
    identity_deleted: bool


def _when(us: int | None) -> str | None:
    if us is None:
        return None
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


TIMES = frozenset(
    {"confirmed", "created", "edited", "expires", "revoked", "last_used", "resolved", "until", "lifted"}
)
TIMES_TOO = frozenset({"appealed", "moderated", "decided", "emailed", "reversed"})


def _dated(rows: list[store.Row], *, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        shaped = {
            k: (_when(v) if k in TIMES or k in TIMES_TOO else v) for k, v in row.items() if k not in drop
        }
        out.append(shaped)
    return out


async def collect(
    ctx: Context, *, identity: Identity | None = None, email: str | None = None
) -> dict[str, Any]:
    """Everything stored about the signed-in `identity`, or about guest comments written with `email`:
    the document GET /api/me/data answers (docs/data.md describes each member). Secrets are never in it:
    no token or token hash, no credential data, no keyed hash."""
    if (identity is None) == (email is None):
        raise ValueError("collect needs exactly one of identity and email")
    async with store_engine.read(ctx.engine) as conn:
        where = store.of_identity(identity.id) if identity else store.of_guest_email(email or "")
        comments = await store.select_comments(conn, where)
        ids = [c["id"] for c in comments]
        revisions = await store.select_revisions(conn, ids)
        by_comment: dict[str, list[dict[str, Any]]] = {}
        for rev in _dated(revisions):
            by_comment.setdefault(rev.pop("comment_id"), []).append(rev)
        edits: dict[str, list[dict[str, Any]]] = {}
        for edit in _dated(await store.select_moderator_edits(conn, ids)):
            edits.setdefault(edit.pop("comment_id"), []).append(edit)
        pictures: dict[str, list[dict[str, Any]]] = {}
        for image in _dated(await image_store.select_of_comments(conn, ids)):
            image["url"] = f"{ctx.settings.server.public_url.rstrip('/')}/api/images/{image['name']}"
            pictures.setdefault(image.pop("comment_id"), []).append(image)
        shaped = []
        for c in _dated(comments, drop=("thread_id",)):
            c.pop("images", None)  # the same list, in full, below
            shaped.append(
                {
                    **c,
                    "revisions": by_comment.get(c["id"], []),
                    "moderator_edits": edits.get(c["id"], []),
                    "images": pictures.get(c["id"], []),
                }
            )
        emails = {email} if email else ({identity.email} if identity and identity.email else set())
        emails |= {c["author_email"] for c in comments if c["author_email"]}
        ban_rows: list[store.Row] = []
        addresses: list[str | None] = [*sorted(emails)] or [None]
        for address in addresses:
            ban_rows += await store.select_bans(
                conn,
                identity_id=identity.id if identity else None,
                email_hash=email_hash_of(ctx, address) if address else None,
            )
        bans = list({b["id"]: b for b in ban_rows}.values())
        hashes = _hashes(ctx, emails)
        who = identity.id if identity else None
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "generated": _when(ctx.clock()),
            "subject": {"identity": identity.id} if identity else {"email": email},
            "identity": None,
            "credentials": [],
            "sessions": [],
            "comments": shaped,
            "likes": [],
            "reactions": [],
            "mutes": [],
            "email_addresses": _dated(await store.select_email_addresses(conn, sorted(emails))),
            "subscriptions": _dated(await store.select_subscriptions(conn, sorted(emails))),
            "reports_filed": [],
            "legal_notices_filed": _dated(await store.select_notices_filed(conn, sorted(emails))),
            "moderation": {
                "reports_about_your_comments": _dated(await store.select_reports_about(conn, ids)),
                "bans": _dated(bans, drop=("id",)),
                "roles": [],
                "statements": _dated(
                    await store.select_statements(
                        conn, identity_id=identity.id if identity else None, comment_ids=ids
                    )
                ),
                "warnings": _dated(await store.select_warnings(conn, identity_id=who, email_hashes=hashes)),
                "premoderated": _dated(
                    await store.select_premoderation(conn, identity_id=who, email_hashes=hashes)
                ),
                "notes": _dated(await store.select_notes(conn, identity_id=who, email_hashes=hashes)),
                "log": _dated(
                    await store.select_log(
                        conn, identity_id=identity.id if identity else None, comment_ids=ids
                    )
                ),
            },
        }
        if identity is not None:
            document["identity"] = {
                "id": identity.id,
                "display_name": identity.display_name,
                "email": identity.email,
                "profile_url": identity.profile_url,
                "show_in_likes": identity.show_in_likes,
                "created": _when(identity.created),
            }
            document["credentials"] = _dated(await store.select_credentials(conn, identity.id))
            document["sessions"] = _dated(await store.select_sessions(conn, identity.id))
            document["likes"] = _dated(await store.select_likes(conn, identity.id))
            document["reactions"] = _dated(await store.select_reactions(conn, identity.id))
            document["mutes"] = _dated(await store.select_mutes(conn, identity.id))
            document["reports_filed"] = _dated(await store.select_reports_filed(conn, identity.id))
            document["moderation"]["roles"] = _dated(await store.select_roles(conn, identity.id))
    return document


async def erase(
    ctx: Context,
    mode: KeepComments,
    *,
    actor: str,
    identity_id: str | None = None,
    email: str | None = None,
) -> Erased:
    """Erase a person: the account `identity_id` (with its sign-ins, sessions, likes, roles) or the guest
    comments written with `email`. Their comments are removed or anonymised (`mode`); thread counts and
    comment like counts are kept right, and events tell caches, live readers, webhooks and feeds. One
    transaction; the moderation log records who did it (`actor`: the identity itself, an admin, or
    "guest-link") with counts, never the erased content.

    Raises:
        IdentityNotFound: no such identity (already erased).
    """
    async with store_engine.write(ctx.engine) as conn:
        erased, events = await erase_in(ctx, conn, mode, actor=actor, identity_id=identity_id, email=email)
    ctx.outbox.committed(*events)
    return erased


async def erase_in(
    ctx: Context,
    conn: Any,
    mode: KeepComments,
    *,
    actor: str,
    identity_id: str | None = None,
    email: str | None = None,
) -> tuple[Erased, list[Event | None]]:
    """`erase` inside the caller's transaction `conn` (a guest's link is used up in the same one), with
    the events to announce once it commits."""
    if (identity_id is None) == (email is None):
        raise ValueError("erase needs exactly one of identity_id and email")
    now = ctx.clock()
    events: list[Event | None] = []
    if identity_id is not None and await identity_store.select_identity(conn, identity_id) is None:
        raise IdentityNotFound("There is no such account; it may have been deleted already")
    where = store.of_identity(identity_id) if identity_id else store.of_guest_email(email or "")
    every = await store.select_comments(conn, where)
    comments = [c for c in every if c["status"] != "deleted"]
    ids = [c["id"] for c in comments]
    old_keys = sorted(set(await _author_keys(conn, ids)))  # their avatar data goes once unused
    threads_touched = sorted({c["thread_id"] for c in comments})
    # Their images stop being served now, whatever `mode` keeps of the text; the outbox's image-cleanup
    # deletes the bytes after the commit (services/images.py).
    await image_store.discard_of_comments(conn, ids)
    if mode is KeepComments.REMOVE:
        await store.erase_comments(conn, ids, now)
        lost: Counter[int] = Counter(
            c["thread_id"] for c in comments if CommentStatus(c["status"]) in PUBLIC_STATUSES
        )
        for thread_id, n in lost.items():
            await thread_store.add_to_thread_counts(conn, thread_id, comments=-n)
        for c in comments:
            events.append(
                await ctx.outbox.add(
                    conn,
                    EventKind.COMMENT_DELETED,
                    thread=await event_thread_by_id(conn, c["thread_id"]),
                    subject=c["id"],
                    data={"previous": c["status"], "by": "erasure"},
                )
            )
    else:
        await store.anonymise_comments(conn, {i: ctx.token(15) for i in ids}, DELETED_AUTHOR)
        for thread_id in threads_touched:
            events.append(
                await ctx.outbox.add(
                    conn,
                    EventKind.THREAD_CHANGED,
                    thread=await event_thread_by_id(conn, thread_id),
                    data={"reason": "author-erased"},
                )
            )
    await store.delete_unused_authors(conn, old_keys)
    liked: list[tuple[int, str]] = []
    if identity_id is not None:
        liked = await store.delete_likes(conn, identity_id)
        events += await _unlike(ctx, conn, liked)
        for thread_id in await store.delete_reactions(conn, identity_id):
            events.append(
                await ctx.outbox.add(
                    conn,
                    EventKind.THREAD_CHANGED,  # its reaction counts: the cached reads are rebuilt
                    thread=await event_thread_by_id(conn, thread_id),
                    data={"reason": "reactions-erased"},
                )
            )
    site_ids = await _sites_of(conn, threads_touched)
    await log_store.insert_log(
        conn,
        site_id=site_ids[0] if len(site_ids) == 1 else None,
        now=now,
        actor=actor,
        action="erase",
        target_kind="identity" if identity_id else "email",
        target_id=identity_id or email_hash_of(ctx, email) or "",
        data={"comments": mode.value, "count": len(ids), "likes": len(liked), "sites": site_ids},
    )
    # Their notification addresses (with what they follow and the mail waiting): the address a guest
    # proved, or the account's email and those its comments were written with. A suppression stays.
    emails = {email} if email else {c["author_email"] for c in comments if c["author_email"]}
    if identity_id is not None:
        emails |= await _account_emails(conn, identity_id)
    await store.delete_email_addresses(conn, sorted(e for e in emails if e))
    # DSA statements of reasons stay for the transparency record, without the person (docs/legal.md);
    # the desk's warnings, always-premoderate marks and notes about them go.
    await store.anonymise_statements(conn, identity_id=identity_id, comment_ids=[c["id"] for c in every])
    # So do the notices of illegal content they filed (DSA Art. 16), without the notifier's name and
    # address: by the account's email, or the address a guest proved.
    notifier = {email} if email else await _account_emails(conn, identity_id or "")
    await store.anonymise_notices_filed(conn, sorted(e for e in notifier if e))
    await store.delete_desk_rows(conn, identity_id=identity_id, email_hashes=_hashes(ctx, emails))
    deleted = await store.delete_identity(conn, identity_id) if identity_id else False
    removed = len(ids) if mode is KeepComments.REMOVE else 0
    erased = Erased(
        comments_removed=removed,
        comments_anonymised=len(ids) - removed,
        likes_removed=len(liked),
        identity_deleted=deleted,
    )
    return erased, events


def _hashes(ctx: Context, emails: set[str]) -> list[str]:
    """The keyed hashes the moderation desk and bans name these guests' email addresses by."""
    return sorted({h for h in (email_hash_of(ctx, e) for e in emails if e) if h})


async def _account_emails(conn: Any, identity_id: str) -> set[str]:
    found = await identity_store.select_identity(conn, identity_id)
    return {found.email} if found is not None and found.email else set()


async def _author_keys(conn: Any, ids: list[str]) -> list[str]:
    found = await comment_store.select_comments_by_ids(conn, ids) if ids else []
    return [c.author.key for c in found]


async def _sites_of(conn: Any, thread_ids: list[int]) -> list[int]:
    rows = await thread_store.select_threads_by_ids(conn, thread_ids) if thread_ids else {}
    return sorted({t.site_id for t in rows.values()})


async def _unlike(ctx: Context, conn: Any, liked: list[tuple[int, str]]) -> list[Event | None]:
    """Take the erased likes off the counts they were in, with the events a like removed sends."""
    events: list[Event | None] = []
    for thread_id, comment_id in liked:
        thread = await thread_store.select_thread_by_id(conn, thread_id)
        if thread is None:
            continue
        if comment_id == "":
            await thread_store.add_to_thread_counts(conn, thread_id, likes=-1)
            data = {"target": "article", "likes": thread.like_count - 1}
        else:
            await comment_store.add_to_comment_likes(conn, comment_id, -1)
            found = await comment_store.select_comment(conn, comment_id)
            data = {"target": "comment", "likes": found[0].likes if found else 0}
        events.append(
            await ctx.outbox.add(
                conn,
                EventKind.LIKE_REMOVED,
                thread=await event_thread_by_id(conn, thread_id),
                subject=comment_id or None,
                data=data,
            )
        )
    return events
