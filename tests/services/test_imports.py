"""What an import leaves for moderators: held comments are in the pending queue, with a detail page, on both
databases."""

from __future__ import annotations

import asyncio

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
