"""Imported comments: which source ids were imported as which comment, writing them in bulk, and
recounting the threads an import touched."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, Comment, CommentStatus
from rejoinder.store.schema import comments, imported_comments, threads


class Known(msgspec.Struct, frozen=True):
    """A comment an earlier run imported, as a later record needs it (parent lookups, change detection)."""

    comment_id: str
    digest: str
    thread_id: int
    depth: int
    status: CommentStatus


class Imported(msgspec.Struct, frozen=True):
    """A comment to write with what the import table remembers of it."""

    comment: Comment
    source_id: str
    digest: str
    ip: str | None


_STATUS = {s.value: s for s in CommentStatus}
_PUBLIC = sorted(s.value for s in PUBLIC_STATUSES)


async def select_known(
    conn: AsyncConnection, site_id: int, fmt: str, source_ids: Sequence[str]
) -> dict[str, Known]:
    """The comments already imported from these source ids (in chunks every backend accepts)."""
    out: dict[str, Known] = {}
    for start in range(0, len(source_ids), 500):
        rows = await conn.execute(
            sa.select(
                imported_comments.c.source_id,
                imported_comments.c.comment_id,
                imported_comments.c.digest,
                comments.c.thread_id,
                comments.c.depth,
                comments.c.status,
            )
            .join(comments, comments.c.id == imported_comments.c.comment_id)
            .where(
                imported_comments.c.site_id == site_id,
                imported_comments.c.format == fmt,
                imported_comments.c.source_id.in_(source_ids[start : start + 500]),
            )
        )
        for r in rows:
            out[r[0]] = Known(r[1], r[2], r[3], r[4], _STATUS[r[5]])
    return out


def _values(item: Imported) -> dict[str, object]:
    c = item.comment
    return {
        "id": c.id,
        "thread_id": c.thread_id,
        "parent_id": c.parent,
        "depth": c.depth,
        "status": c.status.value,
        "text": c.text,
        "html": c.html,
        "author_name": c.author.name,
        "author_email": c.author.email,
        "author_website": c.author.website,
        "author_key": c.author.key,
        "ip": item.ip,
        "created": c.created,
        "edited": c.edited,
    }


async def insert_imported(
    conn: AsyncConnection, site_id: int, fmt: str, items: Sequence[Imported], now: int
) -> None:
    """New comments (parents before their replies) and their source ids, in two statements."""
    if not items:
        return
    await conn.execute(sa.insert(comments), [_values(i) for i in items])
    await conn.execute(
        sa.insert(imported_comments),
        [
            {
                "site_id": site_id,
                "format": fmt,
                "source_id": i.source_id,
                "comment_id": i.comment.id,
                "digest": i.digest,
                "imported": now,
            }
            for i in items
        ],
    )


async def refresh_statistics(conn: AsyncConnection) -> None:
    """Bring PostgreSQL's planner statistics of the imported tables up to date. A bulk load outgrows them
    within seconds: planned for the empty tables, the source-id lookup filters every imported row of the
    site instead of using the key, and a 100,000-comment import turns quadratic. SQLite needs nothing."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text(f"ANALYZE {imported_comments.name}, {comments.name}"))


async def update_imported(conn: AsyncConnection, site_id: int, fmt: str, item: Imported) -> None:
    """A comment whose record changed in the export since it was imported: take the export's version."""
    values = _values(item)
    del values["id"]
    await conn.execute(sa.update(comments).where(comments.c.id == item.comment.id).values(**values))
    await conn.execute(
        sa.update(imported_comments)
        .where(
            imported_comments.c.site_id == site_id,
            imported_comments.c.format == fmt,
            imported_comments.c.source_id == item.source_id,
        )
        .values(digest=item.digest)
    )


async def recount_threads(conn: AsyncConnection, thread_ids: Iterable[int]) -> None:
    """Set the threads' public comment counts from their rows (an import adds and changes many at once)."""
    ids = sorted(set(thread_ids))
    for start in range(0, len(ids), 500):
        public = (
            sa.select(sa.func.count())
            .select_from(comments)
            .where(comments.c.thread_id == threads.c.id, comments.c.status.in_(_PUBLIC))
            .scalar_subquery()
        )
        await conn.execute(
            sa.update(threads).where(threads.c.id.in_(ids[start : start + 500])).values(comment_count=public)
        )
