"""A person's data, read in full and erased (services/personal_data.py): everything stored about one
identity, or about one email address a guest wrote with. Rows come back as plain mappings of named
columns; secrets (token hashes, credential data, edit tokens) are never selected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.comments import PLACEHOLDER
from rejoinder.store.schema import (
    authors,
    bans,
    classifier_decisions,
    comment_edits,
    comment_revisions,
    commenter_notes,
    commenter_warnings,
    comments,
    credentials,
    email_addresses,
    identities,
    legal_notices,
    likes,
    moderation_log,
    mutes,
    notifications,
    premoderated_commenters,
    reactions,
    reports,
    roles,
    sessions,
    sites,
    statements,
    subscriptions,
    threads,
)

Row = dict[str, Any]


async def _rows(conn: AsyncConnection, query: sa.Select[Any]) -> list[Row]:
    return [dict(r._mapping) for r in (await conn.execute(query)).all()]


def _comment_columns() -> list[Any]:
    return [
        comments.c.id,
        sites.c.name.label("site"),
        threads.c.uri.label("thread_url"),
        threads.c.key.label("thread_key"),
        threads.c.title.label("thread_title"),
        comments.c.parent_id,
        comments.c.status,
        comments.c.status_reason,
        comments.c.text,
        comments.c.html,
        comments.c.author_name,
        comments.c.author_email,
        comments.c.author_website,
        comments.c.ip,
        comments.c.created,
        comments.c.edited,
        comments.c.likes,
        comments.c.revision,
        comments.c.appeal,
        comments.c.appealed,
        comments.c.moderated,
        comments.c.thread_id,
    ]


def _comments_where(where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return (
        sa.select(*_comment_columns())
        .select_from(comments.join(threads, threads.c.id == comments.c.thread_id).join(sites))
        .where(where)
        .order_by(comments.c.created, comments.c.id)
    )


def of_identity(identity_id: str) -> sa.ColumnElement[bool]:
    return comments.c.identity_id == identity_id


def of_guest_email(email: str) -> sa.ColumnElement[bool]:
    """Guest comments written with `email` (compared without case; signed-in comments are the identity's)."""
    return sa.and_(comments.c.identity_id.is_(None), sa.func.lower(comments.c.author_email) == email.lower())


async def select_comments(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> list[Row]:
    return await _rows(conn, _comments_where(where))


def _about_comments(table: sa.Table, comment_ids: Sequence[str], *columns: str) -> sa.Select[Any]:
    """These columns of a table's rows about the comments (their revisions, moderators' edits, reports)."""
    return sa.select(*(table.c[name] for name in columns)).where(table.c.comment_id.in_(list(comment_ids)))


async def select_revisions(conn: AsyncConnection, comment_ids: Sequence[str]) -> list[Row]:
    columns = ("comment_id", "revision", "text", "created", "decision", "status", "reasons")
    query = _about_comments(comment_revisions, comment_ids, *columns)
    return await _rows(conn, query.order_by(comment_revisions.c.comment_id, comment_revisions.c.revision))


async def select_moderator_edits(conn: AsyncConnection, comment_ids: Sequence[str]) -> list[Row]:
    """Moderators' edits of the comments: the text before and after, the public note, when (not who)."""
    columns = ("comment_id", "previous_text", "text", "note", "created")
    query = _about_comments(comment_edits, comment_ids, *columns)
    return await _rows(conn, query.order_by(comment_edits.c.comment_id, comment_edits.c.id))


async def select_credentials(conn: AsyncConnection, identity_id: str) -> list[Row]:
    c = credentials.c
    return await _rows(
        conn,
        sa.select(c.kind, c.provider, c.subject, c.label, c.email, c.email_verified, c.created, c.last_used)
        .where(c.identity_id == identity_id)
        .order_by(c.id),
    )


async def select_sessions(conn: AsyncConnection, identity_id: str) -> list[Row]:
    s = sessions.c
    return await _rows(
        conn,
        sa.select(s.provider, s.label, s.created, s.expires, s.revoked)
        .where(s.identity_id == identity_id)
        .order_by(s.created),
    )


def _on_threads(table: sa.Table, identity_id: str, *columns: str) -> sa.Select[Any]:
    """A reader's rows of a table kept per thread (likes, reactions), with the site and thread of each."""
    return (
        sa.select(
            sites.c.name.label("site"),
            threads.c.uri.label("thread_url"),
            threads.c.key.label("thread_key"),
            *(table.c[name] for name in columns),
        )
        .select_from(table.join(threads, threads.c.id == table.c.thread_id).join(sites))
        .where(table.c.identity_id == identity_id)
        .order_by(table.c.created, table.c.id)
    )


async def select_likes(conn: AsyncConnection, identity_id: str) -> list[Row]:
    return await _rows(conn, _on_threads(likes, identity_id, "comment_id", "name", "created"))


async def select_reactions(conn: AsyncConnection, identity_id: str) -> list[Row]:
    return await _rows(conn, _on_threads(reactions, identity_id, "comment_id", "kind", "name", "created"))


async def select_mutes(conn: AsyncConnection, identity_id: str) -> list[Row]:
    return await _rows(
        conn,
        sa.select(mutes.c.author_key, mutes.c.name, mutes.c.created)
        .where(mutes.c.identity_id == identity_id)
        .order_by(mutes.c.created, mutes.c.id),
    )


async def select_reports_filed(conn: AsyncConnection, identity_id: str) -> list[Row]:
    r = reports.c
    return await _rows(
        conn,
        sa.select(r.comment_id, r.reason, r.note, r.created, r.resolved, r.resolution)
        .where(r.identity_id == identity_id)
        .order_by(r.created, r.id),
    )


async def select_reports_about(conn: AsyncConnection, comment_ids: Sequence[str]) -> list[Row]:
    """Reports of the person's comments, without who filed them (that is the reporter's data)."""
    query = _about_comments(reports, comment_ids, "comment_id", "reason", "created", "resolved", "resolution")
    return await _rows(conn, query.order_by(reports.c.created, reports.c.id))


async def select_bans(conn: AsyncConnection, *, identity_id: str | None, email_hash: str | None) -> list[Row]:
    b = bans.c
    who = [b.identity_id == identity_id] if identity_id else []
    if email_hash:
        who.append(b.email_hash == email_hash)
    if not who:
        return []
    return await _rows(
        conn,
        sa.select(b.id, b.site_id, b.reason, b.created, b.until, b.lifted).where(sa.or_(*who)).order_by(b.id),
    )


async def select_roles(conn: AsyncConnection, identity_id: str) -> list[Row]:
    return await _rows(
        conn,
        sa.select(roles.c.site_id, roles.c.role, roles.c.created)
        .where(roles.c.identity_id == identity_id)
        .order_by(roles.c.id),
    )


async def select_log(
    conn: AsyncConnection, *, identity_id: str | None, comment_ids: Sequence[str]
) -> list[Row]:
    """Moderation-log entries about the person (their identity) or their comments; the acting moderator's
    id is left out (it is the moderator's data), their action kept."""
    m = moderation_log.c
    about = [sa.and_(m.target_kind == "comment", m.target_id.in_(list(comment_ids)))]
    if identity_id:
        about.append(sa.and_(m.target_kind == "identity", m.target_id == identity_id))
    return await _rows(
        conn,
        sa.select(m.site_id, m.created, m.action, m.target_kind, m.target_id, m.reason_code)
        .where(sa.or_(*about))
        .order_by(m.created, m.id),
    )


def _with_site(table: sa.Table, *columns: str) -> sa.Select[Any]:
    """These columns of a table kept per site (statements, the desk's rows, addresses), after the site's name."""
    return sa.select(sites.c.name.label("site"), *(table.c[name] for name in columns)).select_from(
        table.join(sites)
    )


def _statements_about(identity_id: str | None, comment_ids: Sequence[str]) -> sa.ColumnElement[bool]:
    """Statements of reasons about these comments, or given to the identity."""
    about: list[sa.ColumnElement[bool]] = [statements.c.comment_id.in_(list(comment_ids))]
    if identity_id:
        about.append(statements.c.identity_id == identity_id)
    return sa.or_(*about)


async def select_statements(
    conn: AsyncConnection, *, identity_id: str | None, comment_ids: Sequence[str]
) -> list[Row]:
    """The statements of reasons (DSA Art. 17) given about the person's comments, or to their identity."""
    columns = (
        "comment_id",
        "restriction",
        "action",
        "reason_code",
        "facts",
        "automated",
        "ground_kind",
        "ground",
        "notice_id",
        "automated_check",
        "created",
        "emailed",
        "reversed",
    )
    query = _with_site(statements, *columns).where(_statements_about(identity_id, comment_ids))
    return await _rows(conn, query.order_by(statements.c.created, statements.c.id))


def _notifier(emails: Sequence[str]) -> sa.ColumnElement[bool]:
    return sa.func.lower(legal_notices.c.notifier_email).in_(sorted({e.lower() for e in emails if e}))


async def select_notices_filed(conn: AsyncConnection, emails: Sequence[str]) -> list[Row]:
    """The notices of illegal content (DSA Art. 16) the person filed as notifier, by their email address:
    what they wrote and what was decided (the moderator's name is not theirs, so it is left out)."""
    if not emails:
        return []
    n = legal_notices.c
    return await _rows(
        conn,
        sa.select(
            n.id,
            sites.c.name.label("site"),
            n.comment_id,
            n.location,
            n.category,
            n.explanation,
            n.notifier_name,
            n.notifier_email,
            n.language,
            n.created,
            n.decided,
            n.decision,
            n.ground,
            n.reasons,
        )
        .select_from(legal_notices.join(sites))
        .where(_notifier(emails))
        .order_by(n.created, n.id),
    )


async def anonymise_notices_filed(conn: AsyncConnection, emails: Sequence[str]) -> int:
    """Keep the notices the person filed for the transparency record and for the decision still due,
    without the notifier: their name and email address go (nobody is mailed about the notice any more);
    the comment, location, category, explanation, decision and dates stay. How many."""
    if not emails:
        return 0
    result = await conn.execute(
        sa.update(legal_notices).where(_notifier(emails)).values(notifier_name=None, notifier_email=None)
    )
    return int(result.rowcount or 0)


def _desk_who(table: sa.Table, identity_id: str | None, email_hashes: Sequence[str]) -> Any:
    """The moderation desk's rows about an identity or about guests by these keyed email hashes."""
    who: list[sa.ColumnElement[bool]] = [table.c.email_hash.in_(list(email_hashes))] if email_hashes else []
    if identity_id:
        who.append(table.c.identity_id == identity_id)
    return sa.or_(*who) if who else sa.false()


def _about_person(
    table: sa.Table, identity_id: str | None, email_hashes: Sequence[str], *columns: str
) -> sa.Select[Any]:
    """The moderation desk's rows about the person (`_desk_who`), with the site of each, oldest first."""
    return (
        _with_site(table, *columns)
        .where(_desk_who(table, identity_id, email_hashes))
        .order_by(table.c.created, table.c.id)
    )


async def select_warnings(
    conn: AsyncConnection, *, identity_id: str | None, email_hashes: Sequence[str]
) -> list[Row]:
    """Warnings moderators gave the person (their words, when read); not which moderator gave them."""
    columns = ("message", "created", "acknowledged")
    return await _rows(conn, _about_person(commenter_warnings, identity_id, email_hashes, *columns))


async def select_premoderation(
    conn: AsyncConnection, *, identity_id: str | None, email_hashes: Sequence[str]
) -> list[Row]:
    """The sites that hold every new comment of the person for review, since when."""
    return await _rows(conn, _about_person(premoderated_commenters, identity_id, email_hashes, "created"))


async def select_notes(
    conn: AsyncConnection, *, identity_id: str | None, email_hashes: Sequence[str]
) -> list[Row]:
    """Moderators' notes on the person (personal data about them: disclosed); not which moderator wrote."""
    return await _rows(conn, _about_person(commenter_notes, identity_id, email_hashes, "text", "created"))


def _of_emails(emails: Sequence[str]) -> sa.ColumnElement[bool]:
    """The notification addresses (on every site) of these emails (stored lower-cased)."""
    return email_addresses.c.email.in_(sorted({e.lower() for e in emails}))


async def select_email_addresses(conn: AsyncConnection, emails: Sequence[str]) -> list[Row]:
    """The confirmed notification addresses of these emails, on every site (an address nobody confirmed
    yet is not shown as anyone's: whoever typed it may not own the mailbox)."""
    a = email_addresses.c
    return await _rows(
        conn,
        _with_site(email_addresses, "email", "language", "confirmed", "created")
        .where(_of_emails(emails), a.confirmed.is_not(None))
        .order_by(sites.c.name, a.email),
    )


async def select_subscriptions(conn: AsyncConnection, emails: Sequence[str]) -> list[Row]:
    """What the confirmed addresses of these emails follow: the article (for thread and reply
    subscriptions), the comment replied to, mode and state; with the comments waiting to be mailed."""
    s, a = subscriptions.c, email_addresses.c
    waiting = (
        sa.select(sa.func.count())
        .where(notifications.c.subscription_id == s.id, notifications.c.sent.is_(None))
        .scalar_subquery()
    )
    return await _rows(
        conn,
        sa.select(
            sites.c.name.label("site"),
            a.email,
            s.kind,
            threads.c.uri.label("thread_url"),
            threads.c.key.label("thread_key"),
            threads.c.title.label("thread_title"),
            s.comment_id,
            s.mode,
            s.state,
            s.created,
            waiting.label("waiting"),
        )
        .select_from(
            subscriptions.join(email_addresses)
            .join(sites, sites.c.id == a.site_id)
            .outerjoin(threads, threads.c.id == s.thread_id)
        )
        .where(_of_emails(emails), a.confirmed.is_not(None))
        .order_by(sites.c.name, a.email, s.created, s.id),
    )


# --- erasure ---------------------------------------------------------------------------------------------


async def erase_comments(conn: AsyncConnection, comment_ids: Sequence[str], now: int) -> None:
    """Turn the comments into placeholders (status deleted; text, author and everything that identifies the
    writer wiped) and delete their revisions' texts, moderators' edits and the classifier's copies. A
    placeholder is shown only while a visible reply depends on it (domain/threads.py)."""
    ids = list(comment_ids)
    if not ids:
        return
    await conn.execute(
        sa.update(comments)
        .where(comments.c.id.in_(ids))
        .values(
            **PLACEHOLDER,
            visitor_hash=None,
            ip=None,
            identity_id=None,
            appeal=None,
            text_hash=None,
            edited=now,
        )
    )
    await conn.execute(sa.delete(comment_revisions).where(comment_revisions.c.comment_id.in_(ids)))
    await conn.execute(sa.delete(comment_edits).where(comment_edits.c.comment_id.in_(ids)))
    await conn.execute(sa.delete(classifier_decisions).where(classifier_decisions.c.comment_id.in_(ids)))


async def anonymise_comments(conn: AsyncConnection, keys: dict[str, str], name: str) -> None:
    """Keep the comments' text but cut every tie to the writer: the name becomes `name`, each comment gets
    the new author key `keys[id]`, and email, website, address, visitor, edit token and identity go."""
    for comment_id, key in keys.items():
        await conn.execute(
            sa.update(comments)
            .where(comments.c.id == comment_id)
            .values(
                author_name=name,
                author_key=key,
                author_email=None,
                author_website=None,
                edit_token_hash=None,
                visitor_hash=None,
                ip=None,
                identity_id=None,
            )
        )
    if keys:
        await conn.execute(
            sa.update(classifier_decisions)
            .where(classifier_decisions.c.comment_id.in_(list(keys)))
            .values(author_name=name, website="")
        )


async def delete_unused_authors(conn: AsyncConnection, keys: Sequence[str]) -> None:
    """Forget the avatar data (email digest, cached picture) of author keys no comment uses any more."""
    used = sa.select(comments.c.author_key).where(comments.c.author_key.in_(list(keys)))
    await conn.execute(sa.delete(authors).where(authors.c.key.in_(list(keys)), authors.c.key.not_in(used)))


async def delete_likes(conn: AsyncConnection, identity_id: str) -> list[tuple[int, str]]:
    """Delete the identity's likes; (thread id, comment id or "" for the article) of each, for the counts."""
    found = await conn.execute(
        sa.select(likes.c.thread_id, likes.c.comment_id).where(likes.c.identity_id == identity_id)
    )
    gone = [(r[0], r[1]) for r in found]
    await conn.execute(sa.delete(likes).where(likes.c.identity_id == identity_id))
    return gone


async def delete_reactions(conn: AsyncConnection, identity_id: str) -> list[int]:
    """Delete the identity's reactions and mutes; the ids of the threads whose counts changed."""
    found = await conn.execute(
        sa.select(reactions.c.thread_id).where(reactions.c.identity_id == identity_id).distinct()
    )
    threads_changed = sorted(r[0] for r in found)
    await conn.execute(sa.delete(reactions).where(reactions.c.identity_id == identity_id))
    await conn.execute(sa.delete(mutes).where(mutes.c.identity_id == identity_id))
    return threads_changed


async def delete_identity(conn: AsyncConnection, identity_id: str) -> bool:
    """Delete the identity; its credentials, sessions, tickets, roles and identity bans go with it (foreign
    keys), reports it filed stay without it. Whether it existed."""
    result = await conn.execute(sa.delete(identities).where(identities.c.id == identity_id))
    return bool(result.rowcount)


async def has_guest_comments(conn: AsyncConnection, email: str) -> bool:
    """Whether any comment that is not yet erased was written by a guest with `email`."""
    found = await conn.execute(
        sa.select(comments.c.id).where(of_guest_email(email), comments.c.status != "deleted").limit(1)
    )
    return found.first() is not None


async def has_notices_filed(conn: AsyncConnection, email: str) -> bool:
    """Whether a notice of illegal content was filed with `email` (its notifier has data here too)."""
    found = await conn.execute(sa.select(legal_notices.c.id).where(_notifier([email])).limit(1))
    return found.first() is not None


async def delete_email_addresses(conn: AsyncConnection, emails: Sequence[str]) -> int:
    """Delete the notification addresses of these emails on every site, with their subscriptions and the
    notifications waiting for them. Suppressions stay: they are what stops mail to an address whose mail
    server refused it. How many addresses went."""
    if not emails:
        return 0
    ids = sa.select(email_addresses.c.id).where(_of_emails(emails))
    await conn.execute(sa.delete(notifications).where(notifications.c.address_id.in_(ids)))
    await conn.execute(sa.delete(subscriptions).where(subscriptions.c.address_id.in_(ids)))
    result = await conn.execute(sa.delete(email_addresses).where(_of_emails(emails)))
    return int(result.rowcount or 0)


async def anonymise_statements(
    conn: AsyncConnection, *, identity_id: str | None, comment_ids: Sequence[str]
) -> int:
    """Keep the statements of reasons about the person's comments for the transparency record, without
    what ties them to the person: the identity and the moderator's own words on the facts go; the
    restriction, action, reason code, ground, automation flag, notice and dates stay. How many."""
    result = await conn.execute(
        sa.update(statements)
        .where(_statements_about(identity_id, comment_ids))
        .values(identity_id=None, facts=None)
    )
    return int(result.rowcount or 0)


async def delete_desk_rows(
    conn: AsyncConnection, *, identity_id: str | None, email_hashes: Sequence[str]
) -> int:
    """Delete the moderation desk's warnings, always-premoderate marks and notes about the identity or
    these guests' email hashes, on every site. How many rows went."""
    gone = 0
    for table in (commenter_warnings, premoderated_commenters, commenter_notes):
        result = await conn.execute(sa.delete(table).where(_desk_who(table, identity_id, email_hashes)))
        gone += int(result.rowcount or 0)
    return gone
