"""What an import leaves for moderators: held comments are in the pending queue, with a detail page, on both
databases."""

from __future__ import annotations

import asyncio

import pytest

from rejoinder.moderation import queue as queues
from rejoinder.moderation.actions import Actor
from rejoinder.runtime import open_context
from rejoinder.services.moderation import comment_detail, list_queue
from tests.fixtures.app import make_settings
from tests.importers.test_wxr import comment, wxr
from tests.test_cli_import import run_import


def test_held_imported_comments_wait_in_the_moderation_queue(site_db: str, tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    export = tmp_path / "held.xml"
    export.write_bytes(
        wxr(comment("1", content="shown"), comment("2", approved="0", content="held for review"))
    )
    assert run_import(site_db, "wxr", str(export), "--site", "blog").exit_code == 0

    async def go() -> tuple[list[str], str]:
        async with open_context(make_settings(site_db)) as runtime:
            actor = Actor.of_system("cli")
            held = await list_queue(runtime.ctx, actor, queues.Queue.PENDING)
            detail = await comment_detail(runtime.ctx, actor, held[0].id)
            return [item.text for item in held], detail.comment.status.value

    texts, status = asyncio.run(go())
    assert texts == ["held for review"]
    assert status == "pending"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_large_import_keeps_postgresql_planning_the_source_id_lookup_by_its_key(
    site_db: str, tmp_path: object
) -> None:
    """Planned from the empty tables' statistics, the lookup of known source ids filters every imported row of
    the site (a 100,000-comment import turned quadratic). The import refreshes them as it grows."""
    from pathlib import Path

    from sqlalchemy import text

    assert isinstance(tmp_path, Path)
    export = tmp_path / "many.xml"
    export.write_bytes(wxr(*(comment(str(n), content=f"comment {n}") for n in range(1, 1_501))))
    assert run_import(site_db, "wxr", str(export), "--site", "blog").exit_code == 0

    async def go() -> tuple[int, object, str]:
        async with open_context(make_settings(site_db)) as runtime, runtime.ctx.engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM imported_comments"))).scalar_one()
            analyzed = (
                await conn.execute(
                    text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'imported_comments'")
                )
            ).scalar_one()
            plan = await conn.execute(
                text(
                    "EXPLAIN SELECT comment_id FROM imported_comments WHERE site_id = 1 AND format = 'wxr' "
                    "AND source_id IN ('7', '70', '700')"
                )
            )
            return count, analyzed, "\n".join(row[0] for row in plan)

    count, analyzed, plan = asyncio.run(go())
    assert count == 1_500
    assert analyzed is not None  # refreshed by the import itself (autovacuum would set last_autoanalyze)
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "source_id" in index_cond, plan
