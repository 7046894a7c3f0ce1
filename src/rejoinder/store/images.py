"""Images attached to comments: uploads waiting to be attached, attaching them to a new comment, what may be
served (an attached image of a public comment), and discarding them (their bytes are deleted by
services/images.py after the transaction). The bytes themselves are never here: media/ holds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.comments import PUBLIC_STATUSES, ImageRef
from rejoinder.store.schema import comment_images, comments

UPLOADED = "uploaded"
ATTACHED = "attached"
DISCARDED = "discarded"
_PUBLIC = sorted(s.value for s in PUBLIC_STATUSES)


class StoredImage(msgspec.Struct, frozen=True):
    id: str
    name: str
    site_id: int
    comment_id: str | None
    state: str
    media_type: str
    width: int
    height: int
    size: int


_COLUMNS = (
    comment_images.c.id,
    comment_images.c.name,
    comment_images.c.site_id,
    comment_images.c.comment_id,
    comment_images.c.state,
    comment_images.c.media_type,
    comment_images.c.width,
    comment_images.c.height,
    comment_images.c.size,
)


def _image(row: Any) -> StoredImage:
    return StoredImage(*row[:9])


class NewUpload(TypedDict):
    """An image as uploaded and re-encoded: its stored name, the site, and what it is."""

    name: str
    site_id: int
    media_type: str
    width: int
    height: int
    frames: int
    size: int


async def insert_upload(
    conn: AsyncConnection, *, image_id: str, now: int, **upload: Unpack[NewUpload]
) -> None:
    """Record an upload as waiting to be attached (to no comment yet)."""
    await conn.execute(
        sa.insert(comment_images).values(**upload, id=image_id, comment_id=None, state=UPLOADED, created=now)
    )


async def select_uploads(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, StoredImage]:
    """The uploads with these ids that still wait to be attached, by id."""
    if not ids:
        return {}
    rows = await conn.execute(
        sa.select(*_COLUMNS).where(comment_images.c.id.in_(list(ids)), comment_images.c.state == UPLOADED)
    )
    return {r[0]: _image(r) for r in rows}


async def attach(conn: AsyncConnection, comment_id: str, items: Sequence[tuple[str, ImageRef]]) -> None:
    """Attach the uploads (id, how the comment shows it) to the comment, in this order; the caller checked
    that they wait (select_uploads) in this transaction. The comment row carries the refs itself."""
    for position, (image_id, ref) in enumerate(items):
        await conn.execute(
            sa.update(comment_images)
            .where(comment_images.c.id == image_id, comment_images.c.state == UPLOADED)
            .values(comment_id=comment_id, state=ATTACHED, alt=ref.alt, position=position)
        )


def encode_refs(refs: Sequence[ImageRef]) -> str | None:
    return msgspec.json.encode(list(refs)).decode() if refs else None


def decode_refs(raw: str | None) -> tuple[ImageRef, ...]:
    if not raw:
        return ()
    return tuple(msgspec.json.decode(raw, type=list[ImageRef]))


async def select_public(conn: AsyncConnection, name: str) -> StoredImage | None:
    """The image named so, if it may be shown to anyone: attached to a comment whose status is public."""
    row = (
        await conn.execute(
            sa.select(*_COLUMNS)
            .join(comments, comments.c.id == comment_images.c.comment_id)
            .where(
                comment_images.c.name == name,
                comment_images.c.state == ATTACHED,
                comments.c.status.in_(_PUBLIC),
            )
        )
    ).first()
    return _image(row) if row is not None else None


async def select_of_comments(conn: AsyncConnection, comment_ids: Sequence[str]) -> list[Any]:
    """Every image of these comments (any state), for a person's data document."""
    if not comment_ids:
        return []
    c = comment_images.c
    rows = await conn.execute(
        sa.select(c.comment_id, c.name, c.media_type, c.width, c.height, c.frames, c.size, c.alt, c.created)
        .where(c.comment_id.in_(list(comment_ids)), c.state == ATTACHED)
        .order_by(c.comment_id, c.position)
    )
    return [dict(r._mapping) for r in rows]


async def discard_of_comments(conn: AsyncConnection, comment_ids: Sequence[str]) -> int:
    """Mark the images of these comments for deletion (no longer served from now on) and clear the
    comments' lists; the bytes go in `sweep` after the transaction."""
    if not comment_ids:
        return 0
    ids = list(comment_ids)
    result = await conn.execute(
        sa.update(comment_images)
        .where(comment_images.c.comment_id.in_(ids), comment_images.c.state != DISCARDED)
        .values(state=DISCARDED)
    )
    await conn.execute(
        sa.update(comments).where(comments.c.id.in_(ids), comments.c.images.is_not(None)).values(images=None)
    )
    return int(result.rowcount or 0)


async def discard_stale(conn: AsyncConnection, uploaded_before: int) -> int:
    """Discard uploads never attached before `uploaded_before`, and attached images whose comment row is
    gone (a purge deleted it) or is a deleted placeholder."""
    c = comment_images.c
    stale = await conn.execute(
        sa.update(comment_images)
        .where(c.state == UPLOADED, c.created < uploaded_before)
        .values(state=DISCARDED)
    )
    orphaned = await conn.execute(
        sa.update(comment_images)
        .where(
            c.state == ATTACHED,
            sa.or_(
                c.comment_id.is_(None),
                c.comment_id.in_(sa.select(comments.c.id).where(comments.c.status == "deleted")),
            ),
        )
        .values(state=DISCARDED)
    )
    return int(stale.rowcount or 0) + int(orphaned.rowcount or 0)


async def select_discarded(conn: AsyncConnection, limit: int = 500) -> list[str]:
    rows = await conn.execute(
        sa.select(comment_images.c.name)
        .where(comment_images.c.state == DISCARDED)
        .order_by(comment_images.c.name)
        .limit(limit)
    )
    return [r[0] for r in rows]


async def delete_rows(conn: AsyncConnection, names: Sequence[str]) -> None:
    """Forget discarded images whose bytes are gone."""
    if names:
        await conn.execute(
            sa.delete(comment_images).where(
                comment_images.c.name.in_(list(names)), comment_images.c.state == DISCARDED
            )
        )


async def count_by_state(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(
        sa.select(comment_images.c.state, sa.func.count()).group_by(comment_images.c.state)
    )
    return {r[0]: int(r[1]) for r in rows}
