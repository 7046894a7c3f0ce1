"""Avatar records by author key: the private email hash for the opt-in Gravatar lookup and its cached
image, and the cached picture of a signed-in identity from its sign-in provider (a row without a hash)."""

from __future__ import annotations

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import insert_unless_exists
from rejoinder.store.schema import authors


async def upsert_author_hash(conn: AsyncConnection, key: str, site_id: int, email_md5: str) -> bool:
    """Remember the hash for this author key; True when the key is new (a lookup is due)."""
    return await insert_unless_exists(conn, authors, {"key": key}, site_id=site_id, email_md5=email_md5)


async def update_author_image(
    conn: AsyncConnection, key: str, image: bytes | None, image_type: str | None, now: int
) -> None:
    await conn.execute(
        sa.update(authors).where(authors.c.key == key).values(image=image, image_type=image_type, fetched=now)
    )


class AvatarRow(msgspec.Struct, frozen=True):
    image: bytes | None
    image_type: str | None
    email_md5: str | None  # set: a Gravatar lookup; None: an identity's provider picture
    fetched: int | None


async def select_avatar(conn: AsyncConnection, key: str) -> AvatarRow | None:
    """Everything kept for an avatar key, in one query (GET /api/avatars/{key})."""
    row = (
        await conn.execute(
            sa.select(authors.c.image, authors.c.image_type, authors.c.email_md5, authors.c.fetched).where(
                authors.c.key == key
            )
        )
    ).first()
    if row is None:
        return None
    return AvatarRow(image=row[0], image_type=row[1], email_md5=row[2], fetched=row[3])


async def save_identity_picture(
    conn: AsyncConnection,
    key: str,
    site_id: int,
    picture: tuple[bytes, str] | None,
    now: int,
    *,
    keep_previous: bool,
) -> None:
    """Record a provider-picture download for an identity's avatar key: the image when there is one; on a
    failure, the previous image stays if `keep_previous`, else it is dropped (the identicon shows)."""
    values: dict[str, object] = {"fetched": now}
    if picture is not None or not keep_previous:
        values["image"], values["image_type"] = picture if picture is not None else (None, None)
    found = (await conn.execute(sa.select(authors.c.key).where(authors.c.key == key))).first()
    if found is None:
        await conn.execute(sa.insert(authors).values(key=key, site_id=site_id, email_md5=None, **values))
    else:
        await conn.execute(sa.update(authors).where(authors.c.key == key).values(**values))


async def mark_picture_downloading(conn: AsyncConnection, key: str, site_id: int) -> None:
    """Note that a provider picture for this identity's avatar key is being downloaded (fetched = NULL
    until save_identity_picture); an image already kept stays until then."""
    found = (await conn.execute(sa.select(authors.c.key).where(authors.c.key == key))).first()
    if found is None:
        await conn.execute(sa.insert(authors).values(key=key, site_id=site_id, email_md5=None, fetched=None))
    else:
        await conn.execute(sa.update(authors).where(authors.c.key == key).values(fetched=None))
