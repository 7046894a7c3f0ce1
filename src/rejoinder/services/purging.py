"""Housekeeping of sign-in state: deleting expired reader sessions and one-time tickets (pending flows,
link offers, emailed links, /admin sign-ins), on demand (`rejoinder purge`) and every
`auth.purge_interval` seconds in the server. Signing in, out and checking tokens live in accounts.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import sessions as session_store

log = logging.getLogger("rejoinder.auth")

# Rows deleted per transaction: each batch is a short write, so that comments posted during a large purge
# wait for one batch at most, not for the whole purge (SQLite has one writer at a time).
PURGE_BATCH = 1000
FIRST_PURGE_AFTER = 60.0  # seconds after start-up (at most): a server restarted often still purges


class Purged(msgspec.Struct, frozen=True):
    sessions: int
    tickets: int


async def _delete_in_batches(
    engine: AsyncEngine, delete: Callable[[AsyncConnection], Awaitable[int]], batch: int
) -> int:
    total = 0
    while True:
        async with store_engine.write(engine) as conn:
            deleted = await delete(conn)
        total += deleted
        if deleted < batch:
            return total


async def purge_expired(engine: AsyncEngine, now: int, *, batch: int = PURGE_BATCH) -> Purged:
    """Delete the sessions and tickets that expired before `now` (microseconds). A token of a deleted
    session then answers 401 session-invalid instead of session-expired; nothing else changes."""
    sessions = await _delete_in_batches(
        engine, lambda conn: session_store.delete_expired_sessions(conn, now, limit=batch), batch
    )
    tickets = await _delete_in_batches(
        engine, lambda conn: session_store.delete_expired_tickets(conn, now, limit=batch), batch
    )
    return Purged(sessions=sessions, tickets=tickets)


class Purger:
    """Runs purge_expired in the app's lifespan: first soon after start-up, then every `interval` seconds.
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
                if purged.sessions or purged.tickets:
                    log.info(
                        "[rejoinder] purged %d expired session(s) and %d expired ticket(s)",
                        purged.sessions,
                        purged.tickets,
                    )
            except Exception:  # a database hiccup must not end the loop
                log.exception("[rejoinder] purging expired sessions failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
