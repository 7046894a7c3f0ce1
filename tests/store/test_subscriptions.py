"""Contract tests of store/subscriptions.py on SQLite and PostgreSQL: addresses per site (confirmed once,
never unconfirmed), subscriptions unique per address and target, who a new comment concerns (active,
confirmed, not suppressed), notifications once per address and comment, and their batches."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.domain.subscriptions import DeliveryMode, SubscriptionKind, SubscriptionState
from rejoinder.store import engine as store_engine
from rejoinder.store import subscriptions as store
from tests.store.contract import a_comment, a_thread, run


def test_addresses_subscriptions_and_recipients(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> None:
        async with store_engine.write(engine) as conn:
            thread_id = await a_thread(conn)
            parent = await a_comment(conn, thread_id, "parent000001")
            reply = await a_comment(conn, thread_id, "reply0000001")
            guest = await store.upsert_address(
                conn, 1, "ann@example.org", language="de", confirmed=False, now=10
            )
            assert guest.confirmed is None and guest.language == "de"
            replies = await store.upsert_subscription(
                conn,
                guest,
                SubscriptionKind.REPLIES,
                f"c:{parent}",
                thread_id=thread_id,
                comment_id=parent,
                mode=DeliveryMode.IMMEDIATE,
                now=11,
            )
            assert replies.state is SubscriptionState.PENDING
            again = await store.upsert_subscription(
                conn,
                guest,
                SubscriptionKind.REPLIES,
                f"c:{parent}",
                thread_id=thread_id,
                comment_id=parent,
                mode=DeliveryMode.DIGEST,
                now=12,
            )
            assert (
                again.id == replies.id and again.mode is DeliveryMode.DIGEST
            )  # one per target: the mode changes
            verified = await store.upsert_address(
                conn, 1, "bo@example.org", language="en", confirmed=True, now=13
            )
            thread = await store.upsert_subscription(
                conn,
                verified,
                SubscriptionKind.THREAD,
                f"t:{thread_id}",
                thread_id=thread_id,
                comment_id=None,
                mode=DeliveryMode.IMMEDIATE,
                now=14,
            )
            assert thread.state is SubscriptionState.ACTIVE
            found = await store.select_recipients(conn, site_id=1, thread_id=thread_id, parent_id=parent)
            assert [(s.id, a.email) for s, a in found] == [
                (thread.id, "bo@example.org")
            ]  # the guest is pending
            assert await store.confirm_address(conn, guest.id, now=20) == 1
            assert await store.confirm_address(conn, guest.id, now=30) == 0
            confirmed = await store.select_address(conn, guest.id)
            assert confirmed is not None and confirmed.confirmed == 20
            unconfirmed = await store.upsert_address(
                conn, 1, "ann@example.org", language="fr", confirmed=False, now=40
            )
            assert unconfirmed.confirmed == 20 and unconfirmed.language == "fr"  # never unconfirmed
            found = await store.select_recipients(conn, site_id=1, thread_id=thread_id, parent_id=parent)
            assert [(s.kind, a.email) for s, a in found] == [
                (SubscriptionKind.THREAD, "bo@example.org"),
                (SubscriptionKind.REPLIES, "ann@example.org"),
            ]
            assert await store.select_author_emails(conn, reply) == set()

            assert await store.insert_notification(conn, thread, reply, due=100, now=50)
            assert not await store.insert_notification(
                conn, thread, reply, due=200, now=51
            )  # once per comment
            assert await store.batch_due(conn, verified.id, DeliveryMode.IMMEDIATE, after=50) == 100
            assert await store.batch_due(conn, verified.id, DeliveryMode.IMMEDIATE, after=100) is None
            assert await store.select_waiting(conn, verified.id, DeliveryMode.IMMEDIATE, now=99) == []
            waiting = await store.select_waiting(conn, verified.id, DeliveryMode.IMMEDIATE, now=100)
            assert [(w.comment_id, w.kind) for w in waiting] == [(reply, SubscriptionKind.THREAD)]
            await store.mark_sent(conn, [w.id for w in waiting], now=101)
            assert await store.select_waiting(conn, verified.id, DeliveryMode.IMMEDIATE, now=1000) == []
            assert await store.delete_sent_before(conn, 102) == 1

            assert await store.suppress(conn, "Bo@Example.org", "550 no such user", now=60)
            assert not await store.suppress(conn, "bo@example.org", "550 again", now=61)
            assert await store.is_suppressed(conn, "bo@example.org")
            found = await store.select_recipients(conn, site_id=1, thread_id=thread_id, parent_id=parent)
            assert [a.email for _, a in found] == ["ann@example.org"]

            followed = await store.select_followed(conn, guest.id)
            assert [(f.subscription.kind, f.uri) for f in followed] == [
                (SubscriptionKind.REPLIES, "https://blog.example/a")
            ]
            assert await store.delete_subscriptions(conn, guest.id, [thread.id]) == 0  # not the guest's
            assert await store.delete_subscriptions(conn, guest.id) == 1
            assert await store.select_followed(conn, guest.id) == []

    run(db_url, work)
