"""Seed rejoinder with the benchmark corpus, in-process, through the same service call the API uses.

`services.comments.post_comment` validates, renders the Markdown and writes one comment per
transaction, exactly as POST /api/comments does after HTTP parsing; only the clock is set to the
corpus's timestamps. The seeding engine uses synchronous=NORMAL (no fsync per comment): seeding speed
is not what is measured, and the server that is measured runs with its default (FULL). Moderation is off
while seeding (servers.SEED_SETTINGS): it is an import, and every seeded comment must be public.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from corpus import SeedThread
from rejoinder import config
from rejoinder.runtime import open_context
from rejoinder.services.comments import NewComment, post_comment
from rejoinder.services.threads import resolve_ref
from rejoinder.store import migrate


async def _seed(db_url: str, threads: list[SeedThread], env: dict[str, str], empty_toml: Path) -> int:
    env = {**env, "REJOINDER_DATABASE__URL": db_url, "REJOINDER_DATABASE__SQLITE_SYNCHRONOUS": "NORMAL"}
    settings = config.load(empty_toml, env=env)  # an empty file: never a rejoinder.toml in the cwd
    total = 0
    async with open_context(settings, migrate=False) as runtime:
        ctx = runtime.ctx
        for thread in threads:
            ref = await resolve_ref(ctx, url=thread.url, key=None)
            ids: dict[int, str] = {}
            for c in thread.comments:
                stamp = int(c.created * 1_000_000)
                ctx.clock = lambda stamp=stamp: stamp  # type: ignore[misc]
                posted = await post_comment(
                    ctx,
                    ref,
                    NewComment(
                        text=c.text,
                        parent=None if c.parent is None else ids[c.parent],
                        name=c.name,
                        email=c.email,
                        website=c.website,
                        title=thread.title,
                    ),
                    visitor=None,
                    ip="127.0.0.1",
                )
                ids[c.index] = posted.comment.id
                total += 1
    return total


def seed(db_url: str, threads: list[SeedThread], env: dict[str, str], work: Path) -> int:
    """Write every comment of `threads` (the site must exist) with the settings in `env` (REJOINDER_*
    variables). Returns how many were written."""
    migrate.upgrade(db_url)
    empty = work / "seed-settings.toml"
    empty.write_text("# the benchmark's seeding: settings come from the environment it passes\n")
    return asyncio.run(_seed(db_url, threads, env, empty))
