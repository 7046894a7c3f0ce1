"""SQL of email subscriptions: readers' addresses per site, what they follow, the comments waiting to be
mailed to them, and the addresses a mail server refused for good. Rules are in domain/subscriptions.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.domain.subscriptions import (
    Address,
    DeliveryMode,
    Subscription,
    SubscriptionKind,
    SubscriptionState,
)
from rejoinder.store.rows import from_row, insert_unless_exists, set_once
from rejoinder.store.schema import comments, identities, notifications, subscriptions, suppressions, threads
from rejoinder.store.schema import email_addresses as addresses


class Followed(msgspec.Struct, frozen=True):
    """A subscription with the article it is about, for the manage page."""

    subscription: Subscription
    uri: str | None
    title: str | None


class Waiting(msgspec.Struct, frozen=True):
    """A notification to send: which comment, through which subscription."""

    id: int
    comment_id: str
    kind: SubscriptionKind
    subscription_id: int


def _address(row: Any) -> Address:
    return from_row(Address, row)


def _subscription(row: Any) -> Subscription:
    return from_row(
        Subscription,
        row,
        kind=SubscriptionKind(row.kind),
        mode=DeliveryMode(row.mode),
        state=SubscriptionState(row.state),
    )


# --- addresses ----------------------------------------------------------------------------------------------


async def upsert_address(
    conn: AsyncConnection, site_id: int, email: str, *, language: str, confirmed: bool, now: int
) -> Address:
    """The site's row for `email` (made when new); its language becomes `language`, and it is confirmed
    now when `confirmed` and not before. Never unconfirms."""
    match = (addresses.c.site_id == site_id, addresses.c.email == email)
    await insert_unless_exists(
        conn,
        addresses,
        {"site_id": site_id, "email": email},
        language=language,
        confirmed=now if confirmed else None,
        created=now,
    )
    values: dict[str, Any] = {"language": language}
    await conn.execute(sa.update(addresses).where(*match).values(**values))
    if confirmed:
        await conn.execute(
            sa.update(addresses).where(*match, addresses.c.confirmed.is_(None)).values(confirmed=now)
        )
    row = (await conn.execute(sa.select(addresses).where(*match))).one()
    return _address(row)


async def select_address(conn: AsyncConnection, address_id: int) -> Address | None:
    row = (await conn.execute(sa.select(addresses).where(addresses.c.id == address_id))).first()
    return None if row is None else _address(row)


async def select_address_by_email(conn: AsyncConnection, site_id: int, email: str) -> Address | None:
    row = (
        await conn.execute(
            sa.select(addresses).where(addresses.c.site_id == site_id, addresses.c.email == email)
        )
    ).first()
    return None if row is None else _address(row)


async def confirm_address(conn: AsyncConnection, address_id: int, *, now: int) -> int:
    """Confirm an address (once; later calls keep the first time) and start its pending subscriptions;
    returns how many subscriptions it started."""
    await set_once(conn, addresses.c.confirmed, now, addresses.c.id == address_id)
    result = await conn.execute(
        sa.update(subscriptions)
        .where(
            subscriptions.c.address_id == address_id,
            subscriptions.c.state == SubscriptionState.PENDING.value,
        )
        .values(state=SubscriptionState.ACTIVE.value)
    )
    return int(result.rowcount or 0)


# --- subscriptions ------------------------------------------------------------------------------------------


async def upsert_subscription(
    conn: AsyncConnection,
    address: Address,
    kind: SubscriptionKind,
    target: str,
    *,
    thread_id: int | None,
    comment_id: str | None,
    mode: DeliveryMode,
    now: int,
) -> Subscription:
    """Follow `target` from `address` (again): a repeat changes the mode only. Active at once when the
    address is confirmed, else pending until it is."""
    state = SubscriptionState.ACTIVE if address.confirmed is not None else SubscriptionState.PENDING
    match = (subscriptions.c.address_id == address.id, subscriptions.c.target == target)
    made = await insert_unless_exists(
        conn,
        subscriptions,
        {"address_id": address.id, "target": target},
        kind=kind.value,
        thread_id=thread_id,
        comment_id=comment_id,
        mode=mode.value,
        state=state.value,
        created=now,
    )
    if not made:
        await conn.execute(sa.update(subscriptions).where(*match).values(mode=mode.value))
    row = (await conn.execute(sa.select(subscriptions).where(*match))).one()
    return _subscription(row)


async def select_subscription(conn: AsyncConnection, subscription_id: int) -> Subscription | None:
    row = (await conn.execute(sa.select(subscriptions).where(subscriptions.c.id == subscription_id))).first()
    return None if row is None else _subscription(row)


async def select_followed(conn: AsyncConnection, address_id: int) -> list[Followed]:
    """Every subscription of an address with its article, oldest first."""
    rows = await conn.execute(
        sa.select(subscriptions, threads.c.uri.label("thread_uri"), threads.c.title.label("thread_title"))
        .select_from(subscriptions.outerjoin(threads, threads.c.id == subscriptions.c.thread_id))
        .where(subscriptions.c.address_id == address_id)
        .order_by(subscriptions.c.id)
    )
    return [Followed(subscription=_subscription(r), uri=r.thread_uri, title=r.thread_title) for r in rows]


async def update_mode(conn: AsyncConnection, subscription_id: int, mode: DeliveryMode) -> None:
    await conn.execute(
        sa.update(subscriptions).where(subscriptions.c.id == subscription_id).values(mode=mode.value)
    )


async def delete_subscriptions(
    conn: AsyncConnection, address_id: int, subscription_ids: Sequence[int] | None = None
) -> int:
    """End some (None: all) of an address's subscriptions; their waiting notifications go with them."""
    where = [subscriptions.c.address_id == address_id]
    if subscription_ids is not None:
        where.append(subscriptions.c.id.in_(list(subscription_ids)))
    ids = list((await conn.execute(sa.select(subscriptions.c.id).where(*where))).scalars())
    if not ids:
        return 0
    await conn.execute(sa.delete(notifications).where(notifications.c.subscription_id.in_(ids)))
    await conn.execute(sa.delete(subscriptions).where(subscriptions.c.id.in_(ids)))
    return len(ids)


async def select_recipients(
    conn: AsyncConnection, *, site_id: int, thread_id: int, parent_id: str | None
) -> list[tuple[Subscription, Address]]:
    """The active subscriptions a new public comment concerns (replies to its parent, its thread, its
    site) whose address is confirmed and not suppressed, replies first."""
    follows = [
        subscriptions.c.target == f"t:{thread_id}",
        subscriptions.c.target == f"s:{site_id}",
    ]
    if parent_id is not None:
        follows.insert(0, subscriptions.c.target == f"c:{parent_id}")
    suppressed = sa.select(suppressions.c.email).where(suppressions.c.email == addresses.c.email).exists()
    rows = await conn.execute(
        sa.select(subscriptions, addresses.c.site_id.label("address_site"), *_address_columns())
        .join(addresses, addresses.c.id == subscriptions.c.address_id)
        .where(
            sa.or_(*follows),
            addresses.c.site_id == site_id,
            subscriptions.c.state == SubscriptionState.ACTIVE.value,
            addresses.c.confirmed.is_not(None),
            sa.not_(suppressed),
        )
        .order_by(subscriptions.c.kind.desc(), subscriptions.c.id)  # replies, then thread, then site
    )
    found = []
    for r in rows:
        address = Address(
            id=r.address_id,
            site_id=r.address_site,
            email=r.a_email,
            language=r.a_language,
            confirmed=r.a_confirmed,
            created=r.a_created,
        )
        found.append((_subscription(r), address))
    return found


async def select_author_emails(conn: AsyncConnection, comment_id: str) -> set[str]:
    """The addresses a comment's author is known by (the one given, the signed-in identity's), lower-cased:
    nobody is told about their own comment."""
    row = (
        await conn.execute(
            sa.select(comments.c.author_email, identities.c.email)
            .select_from(comments.outerjoin(identities, identities.c.id == comments.c.identity_id))
            .where(comments.c.id == comment_id)
        )
    ).first()
    return {e.lower() for e in (row or ()) if e}


def _address_columns() -> list[sa.ColumnElement[Any]]:
    return [
        addresses.c.email.label("a_email"),
        addresses.c.language.label("a_language"),
        addresses.c.confirmed.label("a_confirmed"),
        addresses.c.created.label("a_created"),
    ]


# --- notifications ------------------------------------------------------------------------------------------


async def batch_due(conn: AsyncConnection, address_id: int, mode: DeliveryMode, *, after: int) -> int | None:
    """When the email of `mode` already waiting for an address goes out (None: none waits, or it is
    due by `after`, so a new one is needed)."""
    value = (
        await conn.execute(
            sa.select(sa.func.min(notifications.c.due)).where(
                notifications.c.address_id == address_id,
                notifications.c.mode == mode.value,
                notifications.c.sent.is_(None),
                notifications.c.due > after,
            )
        )
    ).scalar()
    return int(value) if value is not None else None


async def insert_notification(
    conn: AsyncConnection, subscription: Subscription, comment_id: str, *, due: int, now: int
) -> bool:
    """Queue `comment_id` for the subscription's address, once per address and comment (a repeated event,
    or a comment that concerns two of its subscriptions, adds nothing); whether it was new."""
    return await insert_unless_exists(
        conn,
        notifications,
        {"address_id": subscription.address_id, "comment_id": comment_id},
        subscription_id=subscription.id,
        mode=subscription.mode.value,
        due=due,
        created=now,
    )


async def select_waiting(
    conn: AsyncConnection, address_id: int, mode: DeliveryMode, *, now: int
) -> list[Waiting]:
    """An address's unsent notifications of `mode` that are due, oldest first."""
    rows = await conn.execute(
        sa.select(notifications, subscriptions.c.kind)
        .join(subscriptions, subscriptions.c.id == notifications.c.subscription_id)
        .where(
            notifications.c.address_id == address_id,
            notifications.c.mode == mode.value,
            notifications.c.sent.is_(None),
            notifications.c.due <= now,
        )
        .order_by(notifications.c.id)
    )
    return [from_row(Waiting, r, kind=SubscriptionKind(r.kind)) for r in rows]


async def mark_sent(conn: AsyncConnection, ids: Sequence[int], *, now: int) -> None:
    if ids:
        await conn.execute(sa.update(notifications).where(notifications.c.id.in_(list(ids))).values(sent=now))


async def delete_sent_before(conn: AsyncConnection, before: int, *, limit: int | None = None) -> int:
    """Delete the notifications mailed before `before` (at most `limit` of them); how many went."""
    old = sa.and_(notifications.c.sent.is_not(None), notifications.c.sent < before)
    if limit is not None:
        old = notifications.c.id.in_(sa.select(notifications.c.id).where(old).limit(limit))
    result = await conn.execute(sa.delete(notifications).where(old))
    return int(result.rowcount or 0)


# --- suppressions ---------------------------------------------------------------------------------------------


async def suppress(conn: AsyncConnection, email: str, reason: str, *, now: int) -> bool:
    """No more notifications to `email` (a mail server refused it for good); whether it was new."""
    return await insert_unless_exists(
        conn, suppressions, {"email": email.lower()}, reason=reason[:500], created=now
    )


async def is_suppressed(conn: AsyncConnection, email: str) -> bool:
    found = await conn.execute(sa.select(suppressions.c.email).where(suppressions.c.email == email.lower()))
    return found.first() is not None
