"""store/search.py on SQLite (FTS5) and PostgreSQL (tsvector + GIN) through the one interface: words, author,
status and dates; the index follows inserts, edits (by the author or a moderator) and deletes; hostile words
(either engine's query syntax, quotes, NUL-free junk, very long input) are plain words, never an error; and
migration 0011 indexes the comments already there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rejoinder.domain.comments import Author, Comment, CommentStatus
from rejoinder.domain.search import CommentSearch, parse_search, terms_of
from rejoinder.errors import Invalid
from rejoinder.store import comments as comment_store
from rejoinder.store import desk as desk_store
from rejoinder.store import engine as store_engine
from rejoinder.store import migrate
from rejoinder.store import search as store
from rejoinder.store.schema import comments, threads
from tests.store.contract import a_thread, run

DAY = 86_400_000_000


async def put(
    conn: AsyncConnection,
    thread_id: int,
    comment_id: str,
    text: str,
    *,
    name: str = "Ann",
    email: str | None = None,
    status: CommentStatus = CommentStatus.PUBLISHED,
    created: int = 5,
) -> None:
    await comment_store.insert_comment(
        conn,
        Comment(
            id=comment_id,
            thread_id=thread_id,
            parent=None,
            text=text,
            html=f"<p>{text}</p>",
            author=Author(name=name, email=email, website=None, key="k" * 12),
            status=status,
            created=created,
            edited=None,
            likes=0,
            depth=0,
        ),
        visitor_hash=None,
        edit_token_hash=None,
        ip=None,
    )


def query(words: str = "", **fields: object) -> CommentSearch:
    return parse_search(
        words=words,
        author=str(fields.get("author", "")),
        identity=None,
        statuses=list(fields.get("statuses", [])),  # type: ignore[call-overload]
        site=None,
        date_from=str(fields.get("date_from", "")),
        date_to=str(fields.get("date_to", "")),
    )


async def site_of(conn: AsyncConnection, thread_id: int) -> int:
    return int(
        (await conn.execute(sa.select(threads.c.site_id).where(threads.c.id == thread_id))).scalar_one()
    )


def test_words_author_status_and_dates_narrow_the_search(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, list[str]]:
        async with store_engine.write(engine) as conn:
            t = await a_thread(conn)
            await put(conn, t, "c1", "The quick brown fox jumps", name="Ann", created=1 * DAY)
            await put(conn, t, "c2", "A lazy brown dog sleeps", name="Bob", created=2 * DAY)
            await put(
                conn, t, "c3", "Brown bread recipe", name="Ann", status=CommentStatus.PENDING, created=3 * DAY
            )
            await put(
                conn, t, "c4", "Crème brûlée et café", name="Zoé", email="Zoe@Example.org", created=4 * DAY
            )
            site = await site_of(conn, t)
        async with store_engine.read(engine) as conn:

            async def ids(q: CommentSearch, **kw: object) -> list[str]:
                return [h.id for h in await store.search_comments(conn, [site], q, **kw)]  # type: ignore[arg-type]

            return {
                "brown": await ids(query("brown")),
                "brown fox": await ids(query("BROWN fox")),
                "ann": await ids(query("brown", author="an")),
                "pending": await ids(query("brown", statuses=["pending"])),
                "dates": await ids(query("", date_from="1970-01-02", date_to="1970-01-03")),
                "accents": await ids(query("creme cafe")),
                "email": await ids(query(""), emails=["zoe@example.org"]),
                "other site": [h.id for h in await store.search_comments(conn, [site + 1], query("brown"))],
                "name": await ids(query("zoé")),
            }

    found = run(db_url, work)
    assert found == {
        "brown": ["c3", "c2", "c1"],
        "brown fox": ["c1"],
        "ann": ["c3", "c1"],
        "pending": ["c3"],
        "dates": ["c2", "c1"],
        "accents": ["c4"] if db_url.startswith("sqlite") else [],  # PostgreSQL 'simple' keeps accents
        "email": ["c4"],
        "other site": [],
        "name": ["c4"],
    }


def test_the_index_follows_edits_moderator_edits_and_deletes(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> list[list[str]]:
        async with store_engine.write(engine) as conn:
            t = await a_thread(conn)
            site = await site_of(conn, t)
            await put(conn, t, "c1", "original words")
            await put(conn, t, "c2", "other words")

        async def ids(words: str) -> list[str]:
            async with store_engine.read(engine) as conn:
                return sorted(h.id for h in await store.search_comments(conn, [site], query(words)))

        seen = [await ids("original"), await ids("words")]
        async with store_engine.write(engine) as conn:
            await comment_store.update_comment_text(conn, "c1", "rewritten by author", "<p>x</p>", 9)
        seen += [await ids("original"), await ids("rewritten")]
        async with store_engine.write(engine) as conn:
            await desk_store.update_text_by_moderator(
                conn,
                "c1",
                previous_text="rewritten by author",
                text="cleaned",
                html="<p>cleaned</p>",
                note=None,
                now=10,
                by="mod",
            )
        seen += [await ids("rewritten"), await ids("cleaned")]
        async with store_engine.write(engine) as conn:
            await conn.execute(sa.delete(comments).where(comments.c.id == "c2"))
        seen += [await ids("words")]
        return seen

    assert run(db_url, work) == [["c1"], ["c1", "c2"], [], ["c1"], [], ["c1"], []]


HOSTILE = [
    '"',
    '""',
    "'",
    'brown"',
    "NEAR(brown fox)",
    "brown AND NOT fox OR",
    "text:brown",
    "author_name : brown",
    "^brown",
    "brown*",
    "*",
    "(((",
    ")",
    "-brown",
    "brown & | ! <-> :* fox",
    "'brown':* & !fox",
    "{brown fox}",
    "brown -- ; DROP TABLE comments;",
    "\\",
    "%_%",
    "😀 brown",
    "b" * 400,
]


def test_hostile_words_are_plain_words(db_url: str) -> None:
    """Each engine's query syntax, quotes and junk: searched as the plain words in them, never an error."""

    async def work(engine: AsyncEngine) -> dict[str, list[str]]:
        async with store_engine.write(engine) as conn:
            t = await a_thread(conn)
            site = await site_of(conn, t)
            await put(conn, t, "c1", "The quick brown fox")
        async with store_engine.read(engine) as conn:
            return {w: [h.id for h in await store.search_comments(conn, [site], query(w))] for w in HOSTILE}

    found = run(db_url, work)
    expected = {}
    for words in HOSTILE:
        terms = set(terms_of(words))
        expected[words] = ["c1"] if not terms or terms <= {"brown", "fox"} else []
    assert found == expected
    assert found["brown AND NOT fox OR"] == []  # "and", "not", "or" are words here, not operators
    assert found["NEAR(brown fox)"] == []


def test_input_beyond_the_limits_is_refused_with_a_field_error() -> None:
    with pytest.raises(Invalid) as long:
        query("word " * 200)
    assert (long.value.code, long.value.errors[0].field) == ("search-too-long", "q")
    with pytest.raises(Invalid) as many:
        query(" ".join(f"w{i}" for i in range(20)))
    assert many.value.code == "search-too-long"
    with pytest.raises(Invalid) as bad_date:
        query("", date_from="2026-13-01")
    assert bad_date.value.code == "search-date-invalid"
    with pytest.raises(Invalid) as reversed_dates:
        query("", date_from="2026-02-01", date_to="2026-01-01")
    assert reversed_dates.value.code == "search-dates-reversed"
    with pytest.raises(Invalid) as status:
        query("", statuses=["'; drop"])
    assert status.value.code == "search-status-invalid"


def test_the_migration_indexes_the_comments_already_there(db_url: str) -> None:
    """Comments written before 0011 are found after it (the backfill)."""
    migrate.downgrade(db_url, "0010")

    async def before(engine: AsyncEngine) -> None:
        async with store_engine.write(engine) as conn:
            t = await a_thread(conn)
            await conn.execute(
                sa.text(
                    "INSERT INTO comments (id, thread_id, depth, status, text, html, author_name, author_key,"
                    " created, likes, pinned, featured, staff, flagged, revision, report_count)"
                    " VALUES ('old1', :t, 0, 'published', 'written before the desk', '<p></p>', 'Ann',"
                    " 'kkkkkkkkkkkk', 5, 0, false, false, false, false, 0, 0)"
                ),
                {"t": t},
            )

    run(db_url, before)
    migrate.upgrade(db_url)

    async def after(engine: AsyncEngine) -> list[str]:
        async with store_engine.read(engine) as conn:
            site = int((await conn.execute(sa.select(threads.c.site_id))).scalar_one())
            return [h.id for h in await store.search_comments(conn, [site], query("before desk"))]

    assert run(db_url, after) == ["old1"]
