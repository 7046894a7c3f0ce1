"""The moderation pipeline's SQL on every post: the facts its checks read (one statement) and the revision
they record. Moderators' reads and writes are in store/moderation.py, bans.py, roles.py, moderation_log.py."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import CommentStatus
from rejoinder.moderation.pipeline import Outcome
from rejoinder.moderation.rules import Ban, Facts, Recent, Role
from rejoinder.store.bans import select_active_bans
from rejoinder.store.schema import comment_revisions, comments, roles, threads


async def load_facts(
    conn: AsyncConnection,
    *,
    site_id: int,
    thread_id: int | None,
    author_key: str,
    identity_id: str | None,
    ip_network: str | None,
    text_hash: str | None,
    since: int,
    now: int,
    exclude_comment: str | None = None,
    bans: tuple[Ban, ...] | None = None,
    need_recent: bool = True,
    need_approved: bool = True,
    uri: str | None = None,
    key: str | None = None,
) -> Facts:
    """What the checks need, in one indexed query; what the policy will not use is not queried
    (`text_hash` None: no same-text count; `bans` given: already known). The thread is `thread_id`, or,
    when that is None, the one `uri` or `key` names (as store/threads.select_thread finds it)."""
    by = "id" if thread_id is not None else "key" if key is not None else "uri" if uri is not None else None
    query = _facts_query(
        thread_by=by,
        same_text=bool(text_hash),
        approved="identity" if need_approved and identity_id else "author" if need_approved else None,
        with_roles=identity_id is not None,
        recent=(bool(identity_id), bool(ip_network), exclude_comment is not None) if need_recent else None,
    )
    params = {
        "site_id": site_id,
        "thread_id": thread_id,
        "uri": uri,
        "key": key,
        "text_hash": text_hash,
        "since": since,
        "author_key": author_key,
        "identity_id": identity_id,
        "ip": ip_network,
        "exclude": exclude_comment,
    }
    rows = (await conn.execute(query, params)).all()
    first = rows[0]._mapping
    recent: tuple[Recent, ...] = ()
    if need_recent:
        recent = tuple(
            Recent(r.r_text, r.r_thread_id, r.r_parent_id, r.r_created)
            for r in rows
            if r.r_created is not None
        )
    roles_found = frozenset(role for role in Role if identity_id and first.get("role_" + role.value))
    return Facts(
        thread_id=first["t_id"],
        thread_created=first["t_created"],
        thread_closed=bool(first["t_closed"]),
        thread_auto_close=first["t_id"] is None
        or first["t_auto_close"] is None
        or bool(first["t_auto_close"]),
        bans=bans if bans is not None else await select_active_bans(conn, site_id, now),
        recent=recent,
        same_text_authors=int(first.get("same_text") or 0),
        approved_count=int(first.get("approved") or 0),
        roles=roles_found,
    )


@functools.cache
def _facts_query(
    *,
    thread_by: str | None,
    same_text: bool,
    approved: str | None,
    with_roles: bool,
    recent: tuple[bool, bool, bool] | None,
) -> Any:
    """The facts as one statement, built once per shape (building a Core statement and its cache key costs
    more than running it) and run on every post: each statement is a round trip to aiosqlite's thread,
    about 0.3 ms of CPU, so the thread, the counts, the roles and the recent texts come back together.

    One row per recent comment (or one row with NULLs), each carrying the same numbers:

        SELECT t.*, (counts…), (roles…), r.* FROM (SELECT 1) AS base
        LEFT JOIN (the thread) AS t ON true LEFT JOIN (the recent comments) AS r ON true
    """
    bp = sa.bindparam
    base = sa.select(sa.literal(1).label("one")).subquery("base")
    columns: list[Any] = []
    joined: Any = base
    thread_columns = (threads.c.id, threads.c.created, threads.c.closed, threads.c.auto_close)
    if thread_by is not None:
        t = sa.select(*thread_columns)
        if thread_by == "id":
            t = t.where(threads.c.id == bp("thread_id"))
        elif thread_by == "key":
            t = t.where(threads.c.site_id == bp("site_id"), threads.c.key == bp("key"))
        else:  # the same choice as store/threads.select_thread
            t = t.where(threads.c.site_id == bp("site_id"), threads.c.uri == bp("uri")).order_by(
                threads.c.key.is_not(None), threads.c.id
            )
        thread = t.limit(1).subquery("t")
        joined = joined.outerjoin(thread, sa.true())
        columns += [c.label("t_" + c.name) for c in thread.c]
    else:
        columns += [sa.null().label("t_" + c.name) for c in thread_columns]
    on_site = sa.and_(threads.c.id == comments.c.thread_id, threads.c.site_id == bp("site_id"))
    if same_text:
        columns.append(
            sa.select(sa.func.count(sa.distinct(comments.c.author_key)))
            .join(threads, on_site)
            .where(
                comments.c.text_hash == bp("text_hash"),
                comments.c.created >= bp("since"),
                comments.c.author_key != bp("author_key"),
            )
            .scalar_subquery()
            .label("same_text")
        )
    if approved is not None:
        author = (
            comments.c.identity_id == bp("identity_id")
            if approved == "identity"
            else comments.c.author_key == bp("author_key")
        )
        # `status || ''` keeps SQLite off the status index: without ANALYZE statistics it prefers that
        # index to the author's, and then reads every approved comment of the site (34 ms at 40,000).
        status = comments.c.status.concat("")
        columns.append(
            sa.select(sa.func.count())
            .select_from(comments.join(threads, on_site))
            .where(author, status == CommentStatus.APPROVED.value)
            .scalar_subquery()
            .label("approved")
        )
    if with_roles:
        for role in Role:
            columns.append(
                sa.exists()
                .where(
                    roles.c.identity_id == bp("identity_id"),
                    roles.c.role == role.value,
                    sa.or_(roles.c.site_id == bp("site_id"), roles.c.site_id.is_(None)),
                )
                .label("role_" + role.value)
            )
    if recent is not None:
        with_identity, with_ip, excluding = recent
        mine = [comments.c.author_key == bp("author_key")]
        if with_identity:
            mine.append(comments.c.identity_id == bp("identity_id"))
        if with_ip:
            mine.append(comments.c.ip == bp("ip"))
        # `thread_id + 0` keeps SQLite from walking the whole site's window thread by thread (its guess
        # without statistics when the identity is one of the terms): the author's, the identity's and the
        # network's own indexes find their few rows.
        by_comment = sa.and_(threads.c.id == comments.c.thread_id + 0, threads.c.site_id == bp("site_id"))
        r = (
            sa.select(comments.c.text, comments.c.thread_id, comments.c.parent_id, comments.c.created)
            .join(threads, by_comment)
            .where(
                comments.c.created >= bp("since"),
                comments.c.status != CommentStatus.DELETED.value,
                sa.or_(*mine),
            )
            .order_by(comments.c.created.desc())
            .limit(20)
        )
        if excluding:
            r = r.where(comments.c.id != bp("exclude"))
        rq = r.subquery("r")
        joined = joined.outerjoin(rq, sa.true())
        columns += [c.label("r_" + c.name) for c in rq.c]
    query = sa.select(*columns).select_from(joined)
    if recent is not None:
        query = query.order_by(sa.desc(sa.literal_column("r_created")))
    return query


# --- check results -------------------------------------------------------------------------------------

_INSERT_REVISION = sa.insert(comment_revisions)
_COMMENT_CHECKED: dict[str, Any] = {
    name: sa.bindparam(name) for name in ("revision", "flagged", "status", "spam_score", "text_hash", "staff")
}
# Built once (see _facts_query); a held comment gets its reason, one still pending after an edit that
# passed keeps its earlier reason, any other status has none.
_UPDATE_CHECKED = {
    keeps_reason: sa.update(comments)
    .where(comments.c.id == sa.bindparam("comment_id"))
    .values(
        **_COMMENT_CHECKED,
        status_reason=comments.c.status_reason if keeps_reason else sa.bindparam("status_reason"),
    )
    for keeps_reason in (False, True)
}


async def record_revision(
    conn: AsyncConnection,
    comment_id: str,
    *,
    revision: int,
    text: str,
    now: int,
    outcome: Outcome,
    status: CommentStatus,
    text_hash: str | None,
    staff: bool,
) -> None:
    """Keep what the pipeline decided on this version, and the comment's moderation columns with it."""
    await conn.execute(
        _INSERT_REVISION,
        {
            "comment_id": comment_id,
            "revision": revision,
            "text": text,
            "created": now,
            "decision": outcome.action.value,
            "status": status.value,
            "reasons": [
                {"check": f.check, "action": f.action.value, "code": f.code, "detail": f.detail}
                for f in outcome.findings
            ],
            "spam_score": outcome.spam,
            "abuse_score": outcome.abuse,
            "classifier": outcome.explanation,
            "external": outcome.external,
            "elapsed_us": min(outcome.elapsed_us, 2**31 - 1),
        },
    )
    decisive = outcome.decisive
    code = decisive.code if decisive is not None else None
    held = status is CommentStatus.PENDING
    await conn.execute(
        _UPDATE_CHECKED[held and code is None],
        {
            "comment_id": comment_id,
            "revision": revision,
            "flagged": any(f.action.value == "flag" for f in outcome.findings),
            "status": status.value,
            "status_reason": code if held else None,
            "spam_score": outcome.spam,
            "text_hash": text_hash,
            "staff": staff,
        },
    )
