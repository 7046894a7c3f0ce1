"""Retention (`[retention]`, services/purging.purge_retained) on SQLite and PostgreSQL, with an injected
clock: comments forget their network address after ip_days; the moderation log, decided reports and ended
bans go after moderation_days; what is still needed (open reports, bans in force, the comments) stays. Run
by `rejoinder purge` and by the server's purging loop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.config import RetentionSettings
from rejoinder.domain.webhooks import WebhookType
from rejoinder.moderation.actions import ModAction
from rejoinder.services import moderation as service
from rejoinder.services.context import Context
from rejoinder.services.purging import Purged, RetentionPurged, purge_expired, purge_retained
from rejoinder.store import engine as store_engine
from rejoinder.store import subscriptions as subscription_store
from rejoinder.store import webhooks as webhook_store
from rejoinder.store.schema import (
    bans,
    comments,
    moderation_log,
    notifications,
    reports,
    webhook_attempts,
    webhook_endpoints,
)
from tests.fixtures.app import ARTICLE, make_settings, run_cli
from tests.fixtures.clock import ManualClock
from tests.fixtures.follow import follow
from tests.moderation.test_pipeline import SYSTEM, Peer, call, post

DAY = 86400.0


@contextmanager
def clocked_client(db_url: str, clock: ManualClock, **auth: Any) -> Iterator[TestClient[Any]]:
    """An app on `clock` behind a trusted proxy at 127.0.0.1 (tests pick the client address)."""
    settings = make_settings(
        db_url, moderation={"trusted_proxies": ["127.0.0.1/32"]}, auth=auth, database={"auto_migrate": False}
    )
    app = create_app(settings, clock=clock)
    with TestClient(app=Peer(app, "127.0.0.1"), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        client.rejoinder = app  # type: ignore[attr-defined]
        yield client


def rows(client: TestClient[Any], query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    async def go(ctx: Context) -> list[tuple[Any, ...]]:
        async with store_engine.read(ctx.engine) as conn:
            return [tuple(r) for r in (await conn.execute(query)).all()]

    return call(client, go)


def ips(client: TestClient[Any]) -> dict[str, str | None]:
    return dict(rows(client, sa.select(comments.c.id, comments.c.ip)))  # type: ignore[arg-type]


def purge(client: TestClient[Any], retention: RetentionSettings) -> RetentionPurged:
    return call(client, lambda ctx: purge_retained(ctx.engine, retention, ctx.clock(), batch=2))


def blog_id(client: TestClient[Any]) -> int:
    site = call(client, lambda ctx: ctx.sites.by_name("blog"))
    assert site is not None
    return site.id


def test_addresses_and_moderation_data_go_after_their_days(site_db: str) -> None:
    clock = ManualClock()
    with clocked_client(site_db, clock) as client:
        first = post(client, "The first of many thoughts on this.", ip="198.51.100.7").json()["id"]
        call(
            client,
            lambda ctx: service.report_comment(
                ctx, first, "spam", None, visitor="v" * 16, identity_id=None, ip="192.0.2.1"
            ),
        )
        call(client, lambda ctx: service.decide(ctx, SYSTEM, first, ModAction.APPROVE))  # dismisses it
        site = blog_id(client)
        lifted = call(client, lambda ctx: service.ban(ctx, SYSTEM, site_id=site, ip_range="203.0.113.0/24"))
        call(client, lambda ctx: service.lift_ban(ctx, SYSTEM, lifted.id))
        kept_ban = call(client, lambda ctx: service.ban(ctx, SYSTEM, site_id=site, email="troll@example.org"))
        assert ips(client) == {first: "198.51.100.0/24"}
        log_before = rows(client, sa.select(moderation_log.c.action).order_by(moderation_log.c.id))
        assert [a for (a,) in log_before] == ["approve", "ban", "unban", "ban"]

        clock.advance(100 * DAY)
        second = post(client, "A second thought, a hundred days on.", ip="2001:db8:5:6::1").json()["id"]
        # Another report, left open: it stays however old it gets.
        call(
            client,
            lambda ctx: service.report_comment(
                ctx, second, "abuse", "rude", visitor="w" * 16, identity_id=None, ip="192.0.2.2"
            ),
        )
        retention = RetentionSettings(ip_days=90, moderation_days=365)
        assert purge(client, retention) == RetentionPurged(ips=1, log_entries=0, reports=0, bans=0)
        assert ips(client) == {first: None, second: "2001:db8:5::/56"}

        clock.advance(300 * DAY)  # 400 days after the first comment, 300 after the second
        assert purge(client, retention) == RetentionPurged(ips=1, log_entries=4, reports=1, bans=1)
        assert ips(client) == {first: None, second: None}
        assert rows(client, sa.select(moderation_log.c.id)) == []
        assert rows(client, sa.select(reports.c.comment_id, reports.c.resolved)) == [(second, None)]
        assert rows(client, sa.select(bans.c.id)) == [(kept_ban.id,)]
        assert purge(client, retention) == RetentionPurged(ips=0, log_entries=0, reports=0, bans=0)
        # The comments themselves stay, public as before.
        assert sorted(i for (i,) in rows(client, sa.select(comments.c.id))) == sorted([first, second])


def test_zero_days_keeps_everything(site_db: str) -> None:
    clock = ManualClock()
    with clocked_client(site_db, clock) as client:
        made = post(client, "Kept for as long as the comment.", ip="198.51.100.9").json()["id"]
        call(client, lambda ctx: service.decide(ctx, SYSTEM, made, ModAction.APPROVE))
        clock.advance(20 * 365 * DAY)
        assert purge(client, RetentionSettings(ip_days=0, moderation_days=0)) == RetentionPurged(0, 0, 0, 0)
        assert ips(client) == {made: "198.51.100.0/24"}
        assert len(rows(client, sa.select(moderation_log.c.id))) == 1


def test_rejoinder_purge_applies_the_configured_retention(site_db: str) -> None:
    clock = ManualClock(ManualClock().now_us - int(91 * DAY * 1_000_000))  # 91 days ago
    with clocked_client(site_db, clock) as client:
        post(client, "Posted ninety-one days ago.", ip="198.51.100.7")
    out = run_cli(site_db, "purge").splitlines()
    assert out[1] == (
        "forgot the network address of 1 comment(s) older than 90 day(s); deleted 0 moderation log "
        "entr(ies), 0 decided report(s) and 0 ended ban(s) older than 365 day(s)"
    )
    assert run_cli(site_db, "purge").splitlines()[1].startswith("forgot the network address of 0 comment(s)")


def test_the_server_applies_retention_on_its_schedule(site_db: str) -> None:
    clock = ManualClock()
    with clocked_client(site_db, clock, purge_interval=1) as client:
        made = post(client, "Posted just now.", ip="198.51.100.7").json()["id"]
        assert client.rejoinder.runtime.purger.running  # type: ignore[attr-defined]
        assert ips(client) == {made: "198.51.100.0/24"}
        clock.advance(91 * DAY)
        deadline = time.monotonic() + 15  # the loop runs every second (auth.purge_interval)
        while ips(client)[made] is not None:
            assert time.monotonic() < deadline, "the purging loop did not apply retention"
            time.sleep(0.1)


def test_notifications_sent_more_than_30_days_ago_go(site_db: str) -> None:
    """A send deletes them too, but only when mail is sent: the purge does it whatever happens."""
    clock = ManualClock()
    with clocked_client(site_db, clock) as client:
        made = [post(client, f"Comment {n}.", ip="198.51.100.7").json()["id"] for n in range(3)]
        now = clock.now_us
        ages = {made[0]: 31 * DAY, made[1]: 29 * DAY}  # made[2] waits to be sent

        async def queue(ctx: Context) -> None:
            async with store_engine.write(ctx.engine) as conn:
                site = await ctx.sites.by_name("blog")
                assert site is not None
                followed = await follow(conn, site.id, "ann@example.org", thread_uri=ARTICLE)
                for comment_id in made:
                    await subscription_store.insert_notification(conn, followed, comment_id, due=now, now=now)
                found = await conn.execute(sa.select(notifications.c.id, notifications.c.comment_id))
                for notification_id, comment_id in found.all():
                    if comment_id in ages:
                        sent = now - int(ages[comment_id] * 1_000_000)
                        await subscription_store.mark_sent(conn, [notification_id], now=sent)

        call(client, queue)
        purged = call(client, lambda ctx: purge_expired(ctx.engine, ctx.clock(), batch=1))
        assert purged == Purged(sessions=0, tickets=0, notifications=1)
        left = rows(client, sa.select(notifications.c.comment_id).order_by(notifications.c.comment_id))
        assert left == sorted([(made[1],), (made[2],)])
    assert run_cli(site_db, "purge").splitlines()[2] == "deleted 0 notification(s) sent more than 30 days ago"


def test_the_webhook_delivery_log_goes_after_its_days(site_db: str) -> None:
    """Every attempt is logged for /admin's delivery log; entries older than webhook_log_days go, the
    endpoint and newer entries stay."""
    clock = ManualClock()
    with clocked_client(site_db, clock) as client:
        site = blog_id(client)
        now = clock.now_us
        ages = {"a" * 32: 31 * DAY, "b" * 32: 29 * DAY, "c" * 32: 0.0}

        async def log_attempts(ctx: Context) -> int:
            async with store_engine.write(ctx.engine) as conn:
                endpoint = await webhook_store.insert_endpoint(
                    conn,
                    site,
                    url="https://hooks.example.org/in",
                    events=[WebhookType.COMMENT_CREATED],
                    description="newsroom",
                    secret="whsec_" + "A" * 43,
                    now=now,
                )
                for uid, age in ages.items():
                    await webhook_store.insert_attempt(
                        conn,
                        endpoint.id,
                        event_uid=uid,
                        event_type="comment.created",
                        attempted=now - int(age * 1_000_000),
                        status_code=200,
                        duration_ms=12,
                        error=None,
                    )
                return endpoint.id

        endpoint_id = call(client, log_attempts)
        # `rejoinder purge` applies the default, 30 days, on the real clock (the test's clock started there).
        out = run_cli(site_db, "purge").splitlines()
        assert out[3] == "deleted 1 webhook delivery-log entr(ies) older than 30 day(s)"
        left = rows(client, sa.select(webhook_attempts.c.event_uid).order_by(webhook_attempts.c.event_uid))
        assert left == [("b" * 32,), ("c" * 32,)]
        assert rows(client, sa.select(webhook_endpoints.c.id)) == [(endpoint_id,)]
        clock.advance(400 * DAY)
        assert purge(client, RetentionSettings(webhook_log_days=0)).webhook_attempts == 0  # kept for ever
        retention = RetentionSettings(webhook_log_days=30)
        assert purge(client, retention) == RetentionPurged(0, 0, 0, 0, webhook_attempts=2)
        assert rows(client, sa.select(webhook_attempts.c.id)) == []
        assert rows(client, sa.select(webhook_endpoints.c.id)) == [(endpoint_id,)]
