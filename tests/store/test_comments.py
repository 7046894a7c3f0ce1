"""store/comments.py on SQLite and PostgreSQL: a thread's public reads carry the moderator's marks (pinned,
featured) as booleans, in the full rows, the stubs and the reads by id."""

from __future__ import annotations

import asyncio

from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.domain.sites import SiteOptions
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as moderation_store
from rejoinder.store import sites as site_store
from rejoinder.store import threads as thread_store


def comment(id: str, thread_id: int, created: int, parent: str | None = None) -> Comment:
    return Comment(
        id=id,
        thread_id=thread_id,
        parent=parent,
        text=f"text of {id}",
        html=f"<p>text of {id}</p>",
        author=Author(name="Ann", email="ann@example.org", website=None, key="k" * 12),
        status=CommentStatus.PUBLISHED,
        created=created,
        edited=None,
        likes=0,
        depth=1 if parent else 0,
    )


def test_public_reads_carry_pinned_and_featured(db_url: str) -> None:
    async def go() -> dict[str, list[tuple[str, object, object]]]:
        engine = store_engine.create_engine(db_url)
        try:
            async with store_engine.write(engine) as conn:
                site = await site_store.insert_site(conn, "marks", [], SiteOptions(), now=1)
                thread = await thread_store.insert_thread(
                    conn, site.id, uri="https://example.org/a", key=None, title=None, now=1
                )
                for n, (id, parent) in enumerate([("plain", None), ("pin", None), ("both", "plain")]):
                    new = comment(id, thread.id, created=10 + n, parent=parent)
                    await comment_store.insert_comment(
                        conn, new, visitor_hash=None, edit_token_hash=None, ip=None
                    )
                await moderation_store.update_marks(conn, "pin", pinned=True)
                await moderation_store.update_marks(conn, "both", pinned=True, featured=True)
                await moderation_store.update_marks(conn, "pin", featured=False)  # leaves pinned alone
            async with store_engine.read(engine) as conn:
                full = await comment_store.select_public_comments(conn, thread.id)
                stubs = await comment_store.select_public_stubs(conn, thread.id)
                by_id = await comment_store.select_comments_by_ids(conn, ["both", "pin", "plain"])
                one = await comment_store.select_comment(conn, "both")
            assert one is not None and one[0].author.email == "ann@example.org"
            return {
                "full": [(c.id, c.pinned, c.featured) for c in full],
                "stubs": [(s.id, s.pinned, s.featured) for s in stubs],
                "by_id": sorted((c.id, c.pinned, c.featured) for c in by_id),
                "one": [(one[0].id, one[0].pinned, one[0].featured)],
            }
        finally:
            await engine.dispose()

    found = asyncio.run(go())
    expected = [("plain", False, False), ("pin", True, False), ("both", True, True)]
    assert found["full"] == expected and found["stubs"] == expected
    assert found["by_id"] == sorted(expected) and found["one"] == [("both", True, True)]
    for rows in found.values():  # booleans, not SQLite's 0/1: they are encoded as JSON true/false
        assert all(type(p) is bool and type(f) is bool for _, p, f in rows)
