"""Authors' avatar records: the private email hash for the opt-in Gravatar lookup and the cached image."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.schema import authors


async def upsert_author_hash(conn: AsyncConnection, key: str, site_id: int, email_md5: str) -> bool:
    """Remember the hash for this author key; True when the key is new (a lookup is due)."""
    row = (await conn.execute(sa.select(authors.c.key).where(authors.c.key == key))).first()
    if row is not None:
        return False
    await conn.execute(sa.insert(authors).values(key=key, site_id=site_id, email_md5=email_md5))
    return True


async def select_author_hash(conn: AsyncConnection, key: str) -> tuple[str | None, int | None] | None:
    """(email hash, last fetch time) of an author key, or None when unknown."""
    row = (
        await conn.execute(sa.select(authors.c.email_md5, authors.c.fetched).where(authors.c.key == key))
    ).first()
    return (row[0], row[1]) if row else None


async def update_author_image(
    conn: AsyncConnection, key: str, image: bytes | None, image_type: str | None, now: int
) -> None:
    await conn.execute(
        sa.update(authors).where(authors.c.key == key).values(image=image, image_type=image_type, fetched=now)
    )


async def select_author_image(conn: AsyncConnection, key: str) -> tuple[bytes, str] | None:
    row = (
        await conn.execute(
            sa.select(authors.c.image, authors.c.image_type).where(
                authors.c.key == key, authors.c.image.is_not(None)
            )
        )
    ).first()
    return (row[0], row[1]) if row else None
