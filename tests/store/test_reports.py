"""store/reports.py on SQLite and PostgreSQL: one report per reporter and comment, counted on the comment,
closed together with a resolution."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.moderation.reports import Report, ReportReason, Resolution
from rejoinder.store import engine as store_engine
from rejoinder.store import reports as store
from rejoinder.store.schema import comments
from tests.store.contract import a_comment, a_thread, an_identity, run


def test_reports_are_counted_once_per_reporter_and_resolved_together(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            thread = await a_thread(conn)
            comment = await a_comment(conn, thread, "c1")
            await an_identity(conn, "reader1")
            spam = await store.insert_report(
                conn,
                comment,
                reason=ReportReason.SPAM,
                note=None,
                reporter="r1",
                identity_id="reader1",
                now=10,
            )
            twice = await store.insert_report(
                conn,
                comment,
                reason=ReportReason.ABUSE,
                note="again",
                reporter="r1",
                identity_id=None,
                now=11,
            )
            abuse = await store.insert_report(
                conn, comment, reason=ReportReason.ABUSE, note="rude", reporter="r2", identity_id=None, now=12
            )
        async with store_engine.read(engine) as conn:
            open_before = await store.count_open_reports(conn, comment)
            counted = (
                await conn.execute(sa.select(comments.c.report_count).where(comments.c.id == comment))
            ).scalar_one()
        async with store_engine.write(engine) as conn:
            closed = await store.resolve_reports(conn, comment, Resolution.DISMISSED, now=20, by="mod")
            closed_again = await store.resolve_reports(conn, comment, Resolution.UPHELD, now=21, by="mod")
        async with store_engine.read(engine) as conn:
            open_after = await store.count_open_reports(conn, comment)
            counted_after = (
                await conn.execute(sa.select(comments.c.report_count).where(comments.c.id == comment))
            ).scalar_one()
            listed = await store.select_reports(conn, comment)
        return {
            "inserted": (spam, twice, abuse),
            "open": (open_before, open_after),
            "counted": (counted, counted_after),
            "closed": (closed, closed_again),
            "listed": [(r.reason, r.note, r.identity_id, r.resolved, r.resolution) for r in listed],
            "types": {type(r) for r in listed},
        }

    assert run(db_url, work) == {
        "inserted": (True, False, True),
        "open": (2, 0),
        "counted": (2, 0),
        "closed": (2, 0),
        "listed": [
            (ReportReason.SPAM, None, "reader1", 20, Resolution.DISMISSED),
            (ReportReason.ABUSE, "rude", None, 20, Resolution.DISMISSED),
        ],
        "types": {Report},
    }
