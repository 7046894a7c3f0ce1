"""Housekeeping: deleting expired reader sessions and one-time tickets (pending flows, link offers, emailed
links, /admin sign-ins), and data past its retention (`[retention]`: comments' network addresses, old
moderation data), on demand (`rejoinder purge`) and every `auth.purge_interval` seconds in the server.
Signing in, out and checking tokens live in accounts.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rejoinder.config import RetentionSettings
from rejoinder.domain.subscriptions import SENT_KEPT_US
from rejoinder.services import images
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import retention as retention_store
from rejoinder.store import sessions as session_store
from rejoinder.store import subscriptions as subscription_store
from rejoinder.store import webhooks as webhook_store

log = logging.getLogger("rejoinder.auth")

# Rows deleted per transaction: each batch is a short write, so that comments posted during a large purge
# wait for one batch at most, not for the whole purge (SQLite has one writer at a time).
PURGE_BATCH = 1000
FIRST_PURGE_AFTER = 60.0  # seconds after start-up (at most): a server restarted often still purges
DAY_US = 86400 * 1_000_000


class Purged(msgspec.Struct, frozen=True):
    sessions: int
    tickets: int
    notifications: int = 0  # notification emails sent more than 30 days ago


class RetentionPurged(msgspec.Struct, frozen=True):
    ips: int  # comments whose network address was forgotten
    log_entries: int
    reports: int
    bans: int
    webhook_attempts: int = 0  # webhook delivery-log entries

    @property
    def any(self) -> bool:
        return bool(self.ips or self.log_entries or self.reports or self.bans or self.webhook_attempts)


class _DeleteBefore(Protocol):
    """A store function deleting (or clearing) at most `limit` rows older than `before`; how many it did."""

    def __call__(self, conn: AsyncConnection, before: int, /, *, limit: int) -> Awaitable[int]: ...


async def _delete_in_batches(engine: AsyncEngine, delete: _DeleteBefore, before: int, batch: int) -> int:
    """Run `delete` in one short write transaction per batch until a batch comes back short; the total."""
    total = 0
    while True:
        async with store_engine.write(engine) as conn:
            deleted = await delete(conn, before, limit=batch)
        total += deleted
        if deleted < batch:
            return total


async def purge_expired(engine: AsyncEngine, now: int, *, batch: int = PURGE_BATCH) -> Purged:
    """Delete the sessions and tickets that expired before `now` (microseconds), and the notifications
    mailed more than 30 days before it (a send deletes them too, but only when mail is sent). A token of a deleted
    session then answers 401 session-invalid instead of session-expired; nothing else changes."""
    sessions = await _delete_in_batches(engine, session_store.delete_expired_sessions, now, batch)
    tickets = await _delete_in_batches(engine, session_store.delete_expired_tickets, now, batch)
    sent = await _delete_in_batches(engine, subscription_store.delete_sent_before, now - SENT_KEPT_US, batch)
    return Purged(sessions=sessions, tickets=tickets, notifications=sent)


async def purge_retained(
    engine: AsyncEngine, retention: RetentionSettings, now: int, *, batch: int = PURGE_BATCH
) -> RetentionPurged:
    """Remove what `retention` says is kept no longer, as of `now` (microseconds): the network address of
    comments older than ip_days, and moderation-log entries, decided reports and ended bans older than
    moderation_days, and webhook delivery-log entries older than webhook_log_days. A setting of 0 keeps
    that data for ever. The comments themselves stay."""
    ips = log_entries = reports = bans = attempts = 0
    if retention.ip_days:
        before = now - retention.ip_days * DAY_US
        ips = await _delete_in_batches(engine, retention_store.clear_comment_ips, before, batch)
    if retention.moderation_days:
        before = now - retention.moderation_days * DAY_US
        log_entries = await _delete_in_batches(engine, retention_store.delete_moderation_log, before, batch)
        reports = await _delete_in_batches(engine, retention_store.delete_decided_reports, before, batch)
        bans = await _delete_in_batches(engine, retention_store.delete_ended_bans, before, batch)
    if retention.webhook_log_days:
        before = now - retention.webhook_log_days * DAY_US
        attempts = await _delete_in_batches(engine, webhook_store.delete_attempts_before, before, batch)
    return RetentionPurged(
        ips=ips, log_entries=log_entries, reports=reports, bans=bans, webhook_attempts=attempts
    )


class Purger:
    """Runs purge_expired and purge_retained in the app's lifespan: first soon after start-up, then every `interval` seconds.
    Every worker runs one; deleting what another worker already deleted costs nothing."""

    def __init__(self, ctx: Context, interval: float) -> None:
        self.ctx = ctx
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the loop runs (not with an interval of 0)."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop; with an interval of 0 (purging only by `rejoinder purge`) nothing runs."""
        if self.interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        await asyncio.sleep(min(self.interval, FIRST_PURGE_AFTER))
        while True:
            try:
                purged = await purge_expired(self.ctx.engine, self.ctx.clock())
                if purged.sessions or purged.tickets or purged.notifications:
                    log.info(
                        "[rejoinder] purged %d expired session(s), %d expired ticket(s) and %d old sent "
                        "notification(s)",
                        purged.sessions,
                        purged.tickets,
                        purged.notifications,
                    )
            except Exception:  # a database hiccup must not end the loop
                log.exception("[rejoinder] purging expired sessions failed")
            try:
                retained = await purge_retained(
                    self.ctx.engine, self.ctx.settings.retention, self.ctx.clock()
                )
                if retained.any:
                    log.info(
                        "[rejoinder] retention: forgot %d comment address(es); deleted %d moderation log "
                        "entr(ies), %d decided report(s), %d ended ban(s), %d webhook delivery-log entr(ies)",
                        retained.ips,
                        retained.log_entries,
                        retained.reports,
                        retained.bans,
                        retained.webhook_attempts,
                    )
            except Exception:
                log.exception("[rejoinder] purging data past its retention failed")
            try:
                swept = await images.sweep(self.ctx, stale=True)
                if swept:
                    log.info("[rejoinder] deleted %d image(s) of deleted or never posted comments", swept)
            except Exception:  # the storage may be down for a while: try again next time
                log.exception("[rejoinder] deleting discarded images failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
