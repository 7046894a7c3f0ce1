"""Helpers for the store contract tests: run one unit of work against a fresh engine on `db_url` (SQLite or
PostgreSQL, from tests/fixtures/db.py), and make the rows other rows hang on. No tests here."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.domain.identity import Identity
from rejoinder.domain.sites import SiteOptions
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import sites as site_store
from rejoinder.store import threads as thread_store

T = TypeVar("T")


def run(db_url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """`work(engine)` on its own event loop; the engine is disposed of afterwards."""

    async def go() -> T:
        engine = store_engine.create_engine(db_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def a_thread(conn: AsyncConnection, site: str = "blog") -> int:
    made = await site_store.insert_site(conn, site, [f"https://{site}.example"], SiteOptions(), now=1)
    thread = await thread_store.insert_thread(
        conn, made.id, uri=f"https://{site}.example/a", key=None, title=None, now=1
    )
    return thread.id


async def a_comment(conn: AsyncConnection, thread_id: int, comment_id: str) -> str:
    await comment_store.insert_comment(
        conn,
        Comment(
            id=comment_id,
            thread_id=thread_id,
            parent=None,
            text="Hello",
            html="<p>Hello</p>",
            author=Author(name="Ann", email=None, website=None, key="k" * 12),
            status=CommentStatus.PUBLISHED,
            created=5,
            edited=None,
            likes=0,
            depth=0,
        ),
        visitor_hash=None,
        edit_token_hash=None,
        ip=None,
    )
    return comment_id


async def an_identity(conn: AsyncConnection, identity_id: str, email: str | None = None) -> Identity:
    identity = Identity(
        id=identity_id,
        display_name=f"Reader {identity_id}",
        email=email,
        profile_url=None,
        show_in_likes=True,
        created=1,
    )
    await identity_store.insert_identity(conn, identity)
    return identity
