"""ActivityPub's rows: each site actor's key pair, remote actors (a key cache), followers, the remote Notes
that became comments, and blocked instances."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.store.rows import delete_matching, insert_struct_unless_exists, insert_unless_exists
from rejoinder.store.schema import (
    ap_actors,
    ap_blocked_domains,
    ap_deliveries,
    ap_followers,
    ap_keys,
    ap_objects,
    comments,
)


class SiteKey(msgspec.Struct, frozen=True):
    site_id: int
    public_pem: str
    private_pem: str  # never logged, never returned by an endpoint

    def __repr__(self) -> str:  # no private key in a traceback or a log line
        return f"SiteKey(site_id={self.site_id})"


class RemoteActor(msgspec.Struct, frozen=True):
    id: int
    uri: str
    key_id: str
    public_pem: str
    inbox: str
    shared_inbox: str | None
    domain: str
    handle: str
    name: str
    profile_url: str | None
    icon_url: str | None
    identity_id: str | None
    fetched: int

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class RemoteObject(msgspec.Struct, frozen=True):
    uri: str
    comment_id: str
    actor_id: int
    thread_id: int
    url: str | None


def _actor(row: Any) -> RemoteActor:
    return RemoteActor(**{f: getattr(row, f) for f in RemoteActor.__struct_fields__})


async def select_site_key(conn: AsyncConnection, site_id: int) -> SiteKey | None:
    row = (await conn.execute(sa.select(ap_keys).where(ap_keys.c.site_id == site_id))).first()
    return SiteKey(row.site_id, row.public_pem, row.private_pem) if row else None


async def insert_site_key(conn: AsyncConnection, key: SiteKey, *, now: int) -> bool:
    """Store a site's key pair unless it has one already (two workers making one at once: the first wins)."""
    return await insert_struct_unless_exists(conn, ap_keys, key, ("site_id",), created=now)


async def select_actor(
    conn: AsyncConnection, *, uri: str | None = None, key_id: str | None = None, actor_id: int | None = None
) -> RemoteActor | None:
    query = sa.select(ap_actors)
    if uri is not None:
        query = query.where(ap_actors.c.uri == uri)
    elif key_id is not None:
        query = query.where(ap_actors.c.key_id == key_id)
    else:
        query = query.where(ap_actors.c.id == actor_id)
    row = (await conn.execute(query.limit(1))).first()
    return _actor(row) if row else None


async def upsert_actor(
    conn: AsyncConnection,
    *,
    uri: str,
    key_id: str,
    public_pem: str,
    inbox: str,
    shared_inbox: str | None,
    domain: str,
    handle: str,
    name: str,
    profile_url: str | None,
    icon_url: str | None,
    now: int,
) -> RemoteActor:
    """Insert a remote actor or refresh what its document says (keys rotate, inboxes move)."""
    values = {
        "key_id": key_id,
        "public_pem": public_pem,
        "inbox": inbox,
        "shared_inbox": shared_inbox,
        "domain": domain,
        "handle": handle,
        "name": name,
        "profile_url": profile_url,
        "icon_url": icon_url,
        "fetched": now,
    }
    updated = await conn.execute(sa.update(ap_actors).where(ap_actors.c.uri == uri).values(**values))
    if not updated.rowcount:
        await insert_unless_exists(conn, ap_actors, {"uri": uri}, **values)
    found = await select_actor(conn, uri=uri)
    assert found is not None
    return found


async def claim_refetch(conn: AsyncConnection, actor_id: int, *, now: int, older_than: int) -> bool:
    """Mark an actor as being refetched now, unless it was fetched (or claimed) since `older_than`."""
    result = await conn.execute(
        sa.update(ap_actors)
        .where(ap_actors.c.id == actor_id, ap_actors.c.fetched < older_than)
        .values(fetched=now)
    )
    return bool(result.rowcount)


async def set_actor_identity(conn: AsyncConnection, actor_id: int, identity_id: str) -> None:
    await conn.execute(sa.update(ap_actors).where(ap_actors.c.id == actor_id).values(identity_id=identity_id))


async def insert_follower(
    conn: AsyncConnection, site_id: int, actor_id: int, follow_uri: str, now: int
) -> bool:
    return await insert_unless_exists(
        conn, ap_followers, {"site_id": site_id, "actor_id": actor_id}, follow_uri=follow_uri, created=now
    )


async def delete_follower(conn: AsyncConnection, site_id: int, actor_id: int) -> bool:
    return await delete_matching(conn, ap_followers, {"site_id": site_id, "actor_id": actor_id})


async def _select_actors_in(
    conn: AsyncConnection, table: sa.Table, where: sa.ColumnElement[bool]
) -> list[RemoteActor]:
    """The remote actors that `table`'s rows matching `where` name, in the order they were first known."""
    rows = await conn.execute(
        sa.select(ap_actors)
        .join(table, table.c.actor_id == ap_actors.c.id)
        .where(where)
        .order_by(ap_actors.c.id)
    )
    return [_actor(r) for r in rows]


async def select_followers(conn: AsyncConnection, site_id: int) -> list[RemoteActor]:
    return await _select_actors_in(conn, ap_followers, ap_followers.c.site_id == site_id)


async def insert_delivered(conn: AsyncConnection, comment_id: str, actor_id: int, *, now: int) -> bool:
    """A local comment's Create reached this actor's inbox: its Update and Delete will go there too."""
    return await insert_unless_exists(
        conn, ap_deliveries, {"comment_id": comment_id, "actor_id": actor_id}, created=now
    )


async def select_delivered(conn: AsyncConnection, comment_id: str) -> list[RemoteActor]:
    """The remote actors a local comment was delivered to, in the order they were first known."""
    return await _select_actors_in(conn, ap_deliveries, ap_deliveries.c.comment_id == comment_id)


async def count_followers(conn: AsyncConnection, site_id: int) -> int:
    query = sa.select(sa.func.count()).select_from(ap_followers).where(ap_followers.c.site_id == site_id)
    return int((await conn.execute(query)).scalar() or 0)


async def insert_object(conn: AsyncConnection, obj: RemoteObject, *, now: int) -> bool:
    return await insert_struct_unless_exists(conn, ap_objects, obj, ("uri",), created=now)


async def select_object(
    conn: AsyncConnection, *, uri: str | None = None, comment_id: str | None = None
) -> RemoteObject | None:
    query = sa.select(ap_objects)
    query = (
        query.where(ap_objects.c.uri == uri)
        if uri is not None
        else query.where(ap_objects.c.comment_id == comment_id)
    )
    row = (await conn.execute(query.limit(1))).first()
    return RemoteObject(row.uri, row.comment_id, row.actor_id, row.thread_id, row.url) if row else None


async def select_thread_participants(conn: AsyncConnection, thread_id: int) -> list[RemoteActor]:
    """The remote actors with a comment in the thread that is not deleted."""
    rows = await conn.execute(
        sa.select(ap_actors)
        .where(
            ap_actors.c.id.in_(
                sa.select(ap_objects.c.actor_id)
                .join(comments, comments.c.id == ap_objects.c.comment_id)
                .where(ap_objects.c.thread_id == thread_id, comments.c.status != "deleted")
            )
        )
        .order_by(ap_actors.c.id)
    )
    return [_actor(r) for r in rows]


async def select_origins(conn: AsyncConnection, comment_ids: list[str]) -> dict[str, tuple[str, str]]:
    """For comments that came from the fediverse: comment id → (the author's @handle, the Note's URL)."""
    if not comment_ids:
        return {}
    rows = await conn.execute(
        sa.select(ap_objects.c.comment_id, ap_actors.c.handle, ap_objects.c.url, ap_objects.c.uri)
        .join(ap_actors, ap_actors.c.id == ap_objects.c.actor_id)
        .where(ap_objects.c.comment_id.in_(comment_ids))
    )
    return {r.comment_id: (r.handle, r.url or r.uri) for r in rows}


async def insert_blocked_domain(
    conn: AsyncConnection, domain: str, *, reason: str | None, by: str, now: int
) -> bool:
    return await insert_unless_exists(
        conn, ap_blocked_domains, {"domain": domain}, reason=reason, created=now, created_by=by
    )


async def delete_blocked_domain(conn: AsyncConnection, domain: str) -> bool:
    return await delete_matching(conn, ap_blocked_domains, {"domain": domain})


async def is_blocked(conn: AsyncConnection, domain: str) -> bool:
    """True when `domain` or one of its parent domains is blocked."""
    labels = domain.lower().split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels))]
    query = sa.select(ap_blocked_domains.c.domain).where(ap_blocked_domains.c.domain.in_(candidates))
    return (await conn.execute(query.limit(1))).first() is not None


class BlockedDomain(msgspec.Struct, frozen=True):
    domain: str
    reason: str | None
    created: int
    created_by: str


async def select_blocked_detail(conn: AsyncConnection) -> list[BlockedDomain]:
    rows = await conn.execute(
        sa.select(
            ap_blocked_domains.c.domain,
            ap_blocked_domains.c.reason,
            ap_blocked_domains.c.created,
            ap_blocked_domains.c.created_by,
        ).order_by(ap_blocked_domains.c.domain)
    )
    return [BlockedDomain(r.domain, r.reason, r.created, r.created_by) for r in rows]


async def select_blocked_domains(conn: AsyncConnection) -> list[tuple[str, str | None]]:
    rows = await conn.execute(
        sa.select(ap_blocked_domains.c.domain, ap_blocked_domains.c.reason).order_by(
            ap_blocked_domains.c.domain
        )
    )
    return [(r[0], r[1]) for r in rows]
