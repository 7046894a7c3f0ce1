"""Shared shapes of the store modules: a result row as a struct, an insert unless the row exists (of a
struct, or a reader's like or reaction), an insert that returns the new row's id, newest first, an update that
happens once, a delete by key, a capped delete.

Only generic helpers live here; SQL for one resource stays in that resource's module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, TypeVar, Unpack

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

S = TypeVar("S", bound=msgspec.Struct)


def from_row(cls: type[S], row: Any, **given: Any) -> S:
    """`cls` built from the row's columns named like its fields; `given` supplies or converts the rest.

    Fields missing from both the row and `given` take their defaults (or fail if they have none), so a
    renamed column shows up as a TypeError, not as a silently wrong value.
    """
    columns = row._mapping
    values = {f: columns[f] for f in cls.__struct_fields__ if f not in given and f in columns}
    return cls(**values, **given)


async def insert_unless_exists(
    conn: AsyncConnection, table: sa.Table, key: Mapping[str, Any], **values: Any
) -> bool:
    """Insert a row of `key` and `values` unless one with the same `key` columns exists; whether it did.

    Used where a second attempt is normal and changes nothing (a like, a report, an author's hash); the
    caller's transaction makes the check and the insert one step.
    """
    match = [table.c[name] == value for name, value in key.items()]
    if (await conn.execute(sa.select(*table.primary_key.columns).where(*match))).first() is not None:
        return False
    await conn.execute(sa.insert(table).values(**key, **values))
    return True


async def insert_struct_unless_exists(
    conn: AsyncConnection, table: sa.Table, obj: msgspec.Struct, key: tuple[str, ...], **more: Any
) -> bool:
    """`insert_unless_exists` of a struct whose fields are columns of `table` (the counterpart of
    `from_row`): the fields named in `key` are the key, the others and `more` the values."""
    values = msgspec.structs.asdict(obj)
    return await insert_unless_exists(conn, table, {name: values.pop(name) for name in key}, **values, **more)


async def insert_returning_id(conn: AsyncConnection, insert: sa.Insert) -> int:
    """Run `insert`, of one row into a table whose key is `id`, as INSERT … RETURNING id (both SQLite and
    PostgreSQL support it); the new row's id."""
    result = await conn.execute(insert.returning(insert.table.c.id))
    return int(result.scalar_one())


class Shown(TypedDict):
    """How a reader appears on a like or a reaction: the name and avatar shown (None: not shown), the
    signed-in identity if any, and when (`now`, stored as `created`)."""

    name: str | None
    avatar_key: str | None
    now: int
    identity_id: NotRequired[str | None]


async def insert_shown(
    conn: AsyncConnection, table: sa.Table, key: Mapping[str, Any], **shown: Unpack[Shown]
) -> bool:
    """`insert_unless_exists` for a table of readers' marks (likes, reactions): `key` plus how the reader
    is shown."""
    return await insert_unless_exists(
        conn,
        table,
        key,
        name=shown["name"],
        avatar_key=shown["avatar_key"],
        created=shown["now"],
        identity_id=shown.get("identity_id"),
    )


def newest_first(query: sa.Select[Any], when: sa.Column[Any], limit: int | None = None) -> sa.Select[Any]:
    """`query` ordered newest first by `when`; of rows made in the same microsecond, the later added (the
    higher id of `when`'s table) first. At most `limit` rows when given."""
    ordered = query.order_by(when.desc(), when.table.c.id.desc())
    return ordered if limit is None else ordered.limit(limit)


async def set_once(
    conn: AsyncConnection, when: sa.Column[Any], now: int, *where: sa.ColumnElement[bool], **also: Any
) -> int:
    """Record that something happened, once, to the rows matching `where` (logged out, lifted, decided,
    reversed…): `when` set to `now`, with the columns in `also`, on those where `when` is still NULL; how
    many rows changed.

    A second attempt, or a concurrent one that lost, changes nothing and counts 0.
    """
    update = sa.update(when.table).where(*where, when.is_(None)).values({when.name: now, **also})
    result = await conn.execute(update)
    return int(result.rowcount or 0)


async def delete_matching(conn: AsyncConnection, table: sa.Table, key: Mapping[str, Any]) -> bool:
    """Delete the rows whose `key` columns have these values; whether there were any.

    The counterpart of `insert_unless_exists`: a second attempt is normal and changes nothing (an unlike).
    """
    match = [table.c[name] == value for name, value in key.items()]
    result = await conn.execute(sa.delete(table).where(*match))
    return bool(result.rowcount)


async def delete_capped(
    conn: AsyncConnection, key: sa.Column[Any], where: sa.ColumnElement[bool], limit: int | None
) -> int:
    """Delete the rows of `key`'s table matching `where`, at most `limit` of them (by `key`); the count.

    The cap keeps a purge's transaction short; it goes through a subquery since neither SQLite (as built
    by default) nor PostgreSQL accepts DELETE … LIMIT.
    """
    if limit is not None:
        where = key.in_(sa.select(key).where(where).limit(limit))
    result = await conn.execute(sa.delete(key.table).where(where))
    return int(result.rowcount or 0)
