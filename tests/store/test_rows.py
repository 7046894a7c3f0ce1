"""store/rows.py on SQLite and PostgreSQL: a row becomes a struct by column names (with conversions given
by the caller, a missing column failing loudly), an insert happens only when no row has the same key, an
insert returns its row's new id, newest first breaks ties by id, an update made once changes only the rows
it has not changed yet, and a capped delete removes at most `limit` rows."""

from __future__ import annotations

import msgspec
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.store import engine as store_engine
from rejoinder.store.rows import (
    delete_capped,
    from_row,
    insert_returning_id,
    insert_struct_unless_exists,
    insert_unless_exists,
    newest_first,
    set_once,
)
from rejoinder.store.schema import saved_filters, sessions
from tests.store.contract import an_identity, run


class Session(msgspec.Struct, frozen=True):
    token_hash: str
    identity_id: str
    provider: str
    label: str
    expires: int


class Pair(msgspec.Struct, frozen=True):
    a: int
    b: str
    c: bool = False


def test_a_row_becomes_a_struct_by_column_names(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.read(engine) as conn:
            row = (await conn.execute(sa.select(sa.literal(1).label("a"), sa.literal("x").label("b")))).one()
            short = (await conn.execute(sa.select(sa.literal(1).label("a")))).one()
        with pytest.raises(TypeError) as missing:
            from_row(Pair, short)
        return {
            "plain": from_row(Pair, row),
            "given": from_row(Pair, row, b="y", c=True),
            "missing": "b" in str(missing.value),
        }

    assert run(db_url, work) == {"plain": Pair(1, "x"), "given": Pair(1, "y", True), "missing": True}


def test_a_capped_delete_removes_at_most_the_limit(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            for i in range(5):
                await conn.execute(
                    sa.insert(sessions).values(
                        token_hash=f"h{i}",
                        identity_id="ann",
                        provider="email",
                        label="",
                        created=1,
                        expires=i,
                    )
                )
        async with store_engine.write(engine) as conn:
            first = await delete_capped(conn, sessions.c.token_hash, sessions.c.expires < 4, 3)
            second = await delete_capped(conn, sessions.c.token_hash, sessions.c.expires < 4, 3)
            uncapped = await delete_capped(conn, sessions.c.token_hash, sessions.c.expires < 9, None)
        async with store_engine.read(engine) as conn:
            left = (await conn.execute(sa.select(sa.func.count()).select_from(sessions))).scalar_one()
        return {"deleted": (first, second, uncapped), "left": left}

    assert run(db_url, work) == {"deleted": (3, 1, 1), "left": 0}


def test_an_insert_unless_exists_inserts_once_per_key(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            first = await insert_unless_exists(
                conn,
                sessions,
                {"token_hash": "h1"},
                identity_id="ann",
                provider="email",
                label="a",
                created=1,
                expires=5,
            )
            again = await insert_unless_exists(
                conn,
                sessions,
                {"token_hash": "h1"},
                identity_id="ann",
                provider="email",
                label="b",
                created=2,
                expires=6,
            )
        async with store_engine.read(engine) as conn:
            rows = (
                await conn.execute(sa.select(sessions.c.token_hash, sessions.c.label, sessions.c.expires))
            ).all()
        return {"inserted": (first, again), "rows": [tuple(r) for r in rows]}

    assert run(db_url, work) == {"inserted": (True, False), "rows": [("h1", "a", 5)]}


def test_a_struct_is_inserted_once_per_key_with_its_fields_as_columns(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            first = await insert_struct_unless_exists(
                conn, sessions, Session("h1", "ann", "email", "a", 5), ("token_hash",), created=1
            )
            again = await insert_struct_unless_exists(
                conn, sessions, Session("h1", "ann", "oidc", "b", 6), ("token_hash",), created=2
            )
        async with store_engine.read(engine) as conn:
            s = sessions.c
            rows = (
                await conn.execute(sa.select(s.token_hash, s.provider, s.label, s.expires, s.created))
            ).all()
        return {"inserted": (first, again), "rows": [tuple(r) for r in rows]}

    assert run(db_url, work) == {"inserted": (True, False), "rows": [("h1", "email", "a", 5, 1)]}


def test_an_insert_returns_the_new_rows_id(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            insert = sa.insert(saved_filters)
            first = await insert_returning_id(conn, insert.values(owner="ann", name="a", query={}, created=1))
            second = await insert_returning_id(
                conn, insert.values(owner="ann", name="b", query={"q": 1}, created=2)
            )
        async with store_engine.read(engine) as conn:
            f = saved_filters.c
            rows = (await conn.execute(sa.select(f.id, f.name, f.query).order_by(f.id))).all()
        return {
            "ints": (type(first), type(second)),
            "distinct": first != second,
            "rows": [tuple(r) for r in rows],
            "ids": [first, second],
        }

    got = run(db_url, work)
    assert got["ints"] == (int, int)
    assert got["distinct"] is True
    assert got["rows"] == [(got["ids"][0], "a", {}), (got["ids"][1], "b", {"q": 1})]


def test_set_once_changes_only_the_rows_where_it_has_not_happened(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            for token in ("h1", "h2"):
                session = Session(token, "ann", "email", "", 9)
                await insert_struct_unless_exists(conn, sessions, session, ("token_hash",), created=1)
        s = sessions.c
        async with store_engine.write(engine) as conn:
            one = await set_once(conn, s.revoked, 5, s.token_hash == "h1", label="out")
            again = await set_once(conn, s.revoked, 6, s.token_hash == "h1", label="again")
            rest = await set_once(conn, s.revoked, 7, s.identity_id == "ann")
        async with store_engine.read(engine) as conn:
            rows = (
                await conn.execute(sa.select(s.token_hash, s.revoked, s.label).order_by(s.token_hash))
            ).all()
        return {"changed": (one, again, rest), "rows": [tuple(r) for r in rows]}

    assert run(db_url, work) == {"changed": (1, 0, 1), "rows": [("h1", 5, "out"), ("h2", 7, "")]}


def test_newest_first_breaks_ties_by_the_later_id(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        f = saved_filters.c
        async with store_engine.write(engine) as conn:
            for name, created in (("a", 1), ("b", 2), ("c", 2), ("d", 0)):
                await conn.execute(
                    sa.insert(saved_filters).values(owner="ann", name=name, query={}, created=created)
                )
        async with store_engine.read(engine) as conn:
            every = (await conn.execute(newest_first(sa.select(f.name), f.created))).scalars().all()
            two = (await conn.execute(newest_first(sa.select(f.name), f.created, 2))).scalars().all()
        return {"every": list(every), "two": list(two)}

    assert run(db_url, work) == {"every": ["c", "b", "a", "d"], "two": ["c", "b"]}
