"""What a site's lossless export holds, kind by kind, and the SQL that streams each kind out in a stable
order and writes it back. `KINDS` is the one table of record kinds: exporting one more table is one entry.
The file format is importers/jsonl.py's; the use cases (checksums, ids, idempotence) services/exports.py's.
"""

from __future__ import annotations

import operator
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.errors import Invalid
from rejoinder.store.rows import insert_returning_id
from rejoinder.store.schema import (
    ap_actors,
    ap_deliveries,
    ap_followers,
    ap_objects,
    classifier_decisions,
    comment_edits,
    comment_images,
    comment_revisions,
    commenter_notes,
    commenter_warnings,
    comments,
    credentials,
    email_addresses,
    identities,
    imported_comments,
    legal_notices,
    likes,
    moderation_log,
    mutes,
    premoderated_commenters,
    reactions,
    reports,
    roles,
    saved_filters,
    sites,
    statements,
    subscriptions,
    threads,
    webmention_sends,
    webmentions,
)

Row = dict[str, Any]
PAGE = 1000  # rows fetched from the cursor at a time: memory stays flat whatever the site's size

# The parts of a credential's `data` that are public (a passkey's public key and what the authenticator
# said about itself). Anything else a kind keeps there (now or later) stays out of exports by default.
PUBLIC_CREDENTIAL_DATA = frozenset(
    {"aaguid", "backed_up", "device_type", "public_key", "sign_count", "transports", "user_handle"}
)


def _site_threads(site_id: int) -> sa.Select[Any]:
    return sa.select(threads.c.id).where(threads.c.site_id == site_id)


def _site_comments(site_id: int) -> sa.Select[Any]:
    return sa.select(comments.c.id).where(comments.c.thread_id.in_(_site_threads(site_id)))


def _site_identities(site_id: int) -> sa.ColumnElement[bool]:
    """Identities the site's data names: authors, likers, reactors, reporters, the warned and the staff."""
    in_site = _site_threads(site_id)
    named = sa.union(
        sa.select(comments.c.identity_id).where(comments.c.thread_id.in_(in_site)),
        sa.select(likes.c.identity_id).where(likes.c.thread_id.in_(in_site)),
        sa.select(reactions.c.identity_id).where(reactions.c.thread_id.in_(in_site)),
        sa.select(commenter_warnings.c.identity_id).where(commenter_warnings.c.site_id == site_id),
        sa.select(premoderated_commenters.c.identity_id).where(premoderated_commenters.c.site_id == site_id),
        sa.select(commenter_notes.c.identity_id).where(commenter_notes.c.site_id == site_id),
        sa.select(reports.c.identity_id).where(reports.c.comment_id.in_(_site_comments(site_id))),
        sa.select(roles.c.identity_id).where(roles.c.site_id == site_id),
        sa.select(mutes.c.identity_id).where(mutes.c.author_key.in_(_site_author_keys(site_id))),
        sa.select(statements.c.identity_id).where(statements.c.site_id == site_id),
        sa.select(ap_actors.c.identity_id).where(ap_actors.c.id.in_(_site_actors(site_id))),
    )
    return identities.c.id.in_(sa.select(named.subquery().c[0]))


def _site_author_keys(site_id: int) -> sa.Select[Any]:
    return sa.select(comments.c.author_key).where(comments.c.thread_id.in_(_site_threads(site_id)))


def _site_actors(site_id: int) -> sa.CompoundSelect[Any]:
    """The remote fediverse actors the site's data names: its followers, the authors of its comments that
    came from the fediverse, and those its comments were delivered to."""
    return sa.union(
        sa.select(ap_followers.c.actor_id).where(ap_followers.c.site_id == site_id),
        sa.select(ap_objects.c.actor_id).where(ap_objects.c.thread_id.in_(_site_threads(site_id))),
        sa.select(ap_deliveries.c.actor_id).where(ap_deliveries.c.comment_id.in_(_site_comments(site_id))),
    )


def _public_data(row: Row) -> Row:
    data = row.get("data")
    if isinstance(data, dict):
        row["data"] = {k: v for k, v in data.items() if k in PUBLIC_CREDENTIAL_DATA} or None
    return row


def _site_addresses(site_id: int) -> sa.ColumnElement[bool]:
    """The site's confirmed notification addresses (one nobody confirmed is a request, not data)."""
    return sa.and_(email_addresses.c.site_id == site_id, email_addresses.c.confirmed.is_not(None))


def _address_email() -> sa.ColumnElement[Any]:
    """A subscription's address, by its email (the address's natural key on the site)."""
    query = sa.select(email_addresses.c.email).where(email_addresses.c.id == subscriptions.c.address_id)
    return query.scalar_subquery()


@dataclass(frozen=True)
class Link:
    """A column holding another table's surrogate id, written in files as that row's natural value: a
    remote actor by its URI, a legal notice by when it was filed (with the comment it shares)."""

    field: str  # the record's field
    column: str  # the table's column holding the linked row's id
    target: sa.Table
    by: str  # the target's column the field holds
    same: tuple[str, ...] = ()  # columns the linked row has equal to this row's (its key together with `by`)

    def read(self, table: sa.Table) -> sa.ColumnElement[Any]:
        query = sa.select(self.target.c[self.by]).where(
            self.target.c.id == table.c[self.column], *(self.target.c[c] == table.c[c] for c in self.same)
        )
        return query.scalar_subquery()


@dataclass(frozen=True)
class Kind:
    """One record kind: which rows of a site it holds and how they are written back.

    Never in `columns`: surrogate ids (files use stable ones: thread numbers, comment and identity ids),
    the site's id, and secrets (edit-token hashes; sessions, tickets and webhooks are no kind at all).
    """

    name: str  # the record's kind in the file
    table: sa.Table
    columns: tuple[str, ...]
    order: tuple[str, ...]  # a unique order: the file's (parents before replies for comments)
    key: tuple[str, ...]  # a row with the same key is already there: a second import skips it
    scope: Callable[[int], sa.ColumnElement[bool]]  # the site's rows
    thread_column: str | None = None  # holds a thread id, written as the thread's number in the file
    site_column: str | None = None  # set to the site's id on import (and part of the key)
    # (kind column, value, id column): where kind column = value, the id column names a thread by its id
    thread_target: tuple[str, str, str] | None = None
    clean: Callable[[Row], Row] | None = None  # what is removed on the way out
    # fields of the record that are no column of the table: how each is read (written back by the service)
    computed: Mapping[str, Callable[[], sa.ColumnElement[Any]]] = field(default_factory=dict)
    links: tuple[Link, ...] = ()  # fields naming rows of other tables (resolved on import by the service)

    def column(self, name: str) -> sa.ColumnElement[Any]:
        found = self.computed.get(name)
        if found is not None:
            return found().label(name)
        link = next((k for k in self.links if k.field == name), None)
        return link.read(self.table).label(name) if link is not None else self.table.c[name]

    def select(self, site_id: int) -> sa.Select[Any]:
        cols = [self.column(c) for c in dict.fromkeys(self.columns + self.order)]
        # NULLs first on both databases (PostgreSQL puts them last by default): one order everywhere.
        order = [self.column(c).nulls_first() for c in self.order]
        return sa.select(*cols).where(self.scope(site_id)).order_by(*order)


def _cols(table: sa.Table, *leave_out: str) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name not in ("id", "site_id", *leave_out))


KINDS: tuple[Kind, ...] = (
    Kind(
        "site",
        sites,
        ("origins", "settings", "created"),
        ("id",),
        (),
        lambda site_id: sites.c.id == site_id,
    ),
    Kind(
        "identity",
        identities,
        ("id", *_cols(identities)),
        ("id",),
        ("id",),
        _site_identities,
    ),
    Kind(
        "credential",
        credentials,
        _cols(credentials),
        ("identity_id", "kind", "provider", "subject"),
        ("kind", "provider", "subject"),
        lambda site_id: credentials.c.identity_id.in_(
            sa.select(identities.c.id).where(_site_identities(site_id))
        ),
        clean=_public_data,
    ),
    Kind(
        "role",
        roles,
        _cols(roles),
        ("identity_id", "role"),
        ("identity_id", "role", "site_id"),
        lambda site_id: roles.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        "thread",
        threads,
        _cols(threads),
        ("id",),
        ("uri", "key", "site_id"),
        lambda site_id: threads.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        "comment",
        comments,
        ("id", *_cols(comments, "edit_token_hash")),
        ("thread_id", "depth", "created", "id"),
        ("id",),
        lambda site_id: comments.c.thread_id.in_(_site_threads(site_id)),
        thread_column="thread_id",
    ),
    Kind(
        "revision",
        comment_revisions,
        _cols(comment_revisions),
        ("comment_id", "revision"),
        ("comment_id", "revision"),
        lambda site_id: comment_revisions.c.comment_id.in_(_site_comments(site_id)),
    ),
    Kind(
        # What is known of each attached image; the bytes stay in the image storage ([images]), under the
        # same names (copy the directory or bucket along with the export).
        "image",
        comment_images,
        ("id", *_cols(comment_images)),
        ("comment_id", "position", "name"),
        ("id",),
        lambda site_id: sa.and_(
            comment_images.c.comment_id.in_(_site_comments(site_id)), comment_images.c.state == "attached"
        ),
        site_column="site_id",
    ),
    Kind(
        "like",
        likes,
        _cols(likes),
        ("thread_id", "comment_id", "liker"),
        ("thread_id", "comment_id", "liker"),
        lambda site_id: likes.c.thread_id.in_(_site_threads(site_id)),
        thread_column="thread_id",
    ),
    Kind(
        "reaction",
        reactions,
        _cols(reactions),
        ("thread_id", "comment_id", "kind", "reactor"),
        ("thread_id", "comment_id", "kind", "reactor"),
        lambda site_id: reactions.c.thread_id.in_(_site_threads(site_id)),
        thread_column="thread_id",
    ),
    Kind(
        # A moderator's edit of a comment's text: the text before and after, the public note, who, when.
        "moderator_edit",
        comment_edits,
        _cols(comment_edits),
        ("comment_id", "created", "created_by", "text"),
        ("comment_id", "created"),
        lambda site_id: comment_edits.c.comment_id.in_(_site_comments(site_id)),
    ),
    Kind(
        "report",
        reports,
        _cols(reports),
        ("comment_id", "reporter"),
        ("comment_id", "reporter"),
        lambda site_id: reports.c.comment_id.in_(_site_comments(site_id)),
    ),
    Kind(
        "decision",
        classifier_decisions,
        _cols(classifier_decisions),
        ("id",),
        ("event_uid",),
        lambda site_id: classifier_decisions.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        "log",
        moderation_log,
        _cols(moderation_log),
        ("id",),
        ("created", "actor", "action", "target_kind", "target_id", "site_id"),
        lambda site_id: moderation_log.c.site_id == site_id,
        site_column="site_id",
        thread_target=("target_kind", "thread", "target_id"),
    ),
    Kind(
        # The moderation desk's warnings (a guest's by the keyed hash of their email, as stored: it matches
        # only on an instance with the same secret_key) and whether each was acknowledged.
        "warning",
        commenter_warnings,
        ("id", *_cols(commenter_warnings)),
        ("id",),
        ("id",),
        lambda site_id: commenter_warnings.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        # Commenters whose every new comment is held. The key has no NULLs (identity and email hash do):
        # one moderator marks one commenter per microsecond.
        "premoderated",
        premoderated_commenters,
        _cols(premoderated_commenters),
        ("created", "created_by", "identity_id", "email_hash"),
        ("created", "created_by", "site_id"),
        lambda site_id: premoderated_commenters.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        # Moderators' notes on commenters (an identity, a guest's keyed email hash, or an author key).
        "note",
        commenter_notes,
        _cols(commenter_notes),
        ("created", "created_by", "identity_id", "email_hash", "author_key", "text"),
        ("created", "created_by", "text", "site_id"),
        lambda site_id: commenter_notes.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        "source",
        imported_comments,
        _cols(imported_comments),
        ("format", "source_id"),
        ("format", "source_id", "site_id"),
        lambda site_id: imported_comments.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        "address",
        email_addresses,
        _cols(email_addresses),
        ("email",),
        ("email", "site_id"),
        _site_addresses,
        site_column="site_id",
    ),
    Kind(
        "subscription",
        subscriptions,
        # `target` is made again on import from kind, thread and comment (it holds database ids)
        ("email", *_cols(subscriptions, "address_id", "target")),
        ("email", "kind", "thread_id", "comment_id"),
        ("address_id", "target"),
        lambda site_id: sa.and_(
            subscriptions.c.address_id.in_(sa.select(email_addresses.c.id).where(_site_addresses(site_id))),
            subscriptions.c.state == "active",  # what a restore accepts (a confirmed address's are)
        ),
        thread_column="thread_id",
        computed={"email": _address_email},
    ),
    Kind(
        # Commenters a signed-in reader muted (by the commenter's author key on this site).
        "mute",
        mutes,
        _cols(mutes),
        ("identity_id", "author_key"),
        ("identity_id", "author_key"),
        lambda site_id: mutes.c.author_key.in_(_site_author_keys(site_id)),
    ),
    Kind(
        # The moderation desk's named searches, of the site's staff.
        "saved_filter",
        saved_filters,
        _cols(saved_filters),
        ("owner", "name"),
        ("owner", "name"),
        lambda site_id: saved_filters.c.owner.in_(
            sa.select(roles.c.identity_id).where(roles.c.site_id == site_id)
        ),
    ),
    Kind(
        # Notices of illegal content and their decisions (DSA Art. 16), with the notifier's contact: a
        # record the site must keep.
        "legal_notice",
        legal_notices,
        _cols(legal_notices),
        ("created", "comment_id"),
        ("site_id", "comment_id", "created"),
        lambda site_id: legal_notices.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        # Statements of reasons (DSA Art. 17); the notice each answers, by when it was filed.
        "statement",
        statements,
        (*_cols(statements, "notice_id"), "notice_created"),
        ("created", "comment_id", "action"),
        ("site_id", "comment_id", "created", "action"),
        lambda site_id: statements.c.site_id == site_id,
        site_column="site_id",
        links=(Link("notice_created", "notice_id", legal_notices, "created", ("comment_id", "site_id")),),
    ),
    Kind(
        "webmention",
        webmentions,
        _cols(webmentions),
        ("pair",),
        ("pair",),
        lambda site_id: webmentions.c.site_id == site_id,
        site_column="site_id",
    ),
    Kind(
        # Webmentions sent for links in the site's comments (so that a move sends none twice).
        "webmention_sent",
        webmention_sends,
        _cols(webmention_sends),
        ("pair",),
        ("pair",),
        lambda site_id: webmention_sends.c.comment_id.in_(_site_comments(site_id)),
    ),
    Kind(
        # Remote fediverse actors the site's data names: their public documents, as cached.
        "ap_actor",
        ap_actors,
        _cols(ap_actors),
        ("uri",),
        ("uri",),
        lambda site_id: ap_actors.c.id.in_(_site_actors(site_id)),
    ),
    Kind(
        "ap_follower",
        ap_followers,
        ("actor", *_cols(ap_followers, "actor_id")),
        ("actor",),
        ("site_id", "actor_id"),
        lambda site_id: ap_followers.c.site_id == site_id,
        site_column="site_id",
        links=(Link("actor", "actor_id", ap_actors, "uri"),),
    ),
    Kind(
        # Comments that came from the fediverse: the remote Note each one is.
        "ap_object",
        ap_objects,
        ("actor", *_cols(ap_objects, "actor_id")),
        ("uri",),
        ("uri",),
        lambda site_id: ap_objects.c.thread_id.in_(_site_threads(site_id)),
        thread_column="thread_id",
        links=(Link("actor", "actor_id", ap_actors, "uri"),),
    ),
    Kind(
        # Which remote inboxes took each local comment (a move delivers none twice).
        "ap_delivery",
        ap_deliveries,
        ("actor", *_cols(ap_deliveries, "actor_id")),
        ("comment_id", "actor"),
        ("comment_id", "actor_id"),
        lambda site_id: ap_deliveries.c.comment_id.in_(_site_comments(site_id)),
        links=(Link("actor", "actor_id", ap_actors, "uri"),),
    ),
)
BY_NAME: Mapping[str, Kind] = {k.name: k for k in KINDS}


async def select_schema_revision(conn: AsyncConnection) -> str:
    """The database's Alembic revision (what the export's rows look like)."""
    return str((await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar_one())


async def stream_kind(conn: AsyncConnection, kind: Kind, site_id: int) -> AsyncIterator[Row]:
    """The site's rows of `kind` in the file's order, as `kind.columns` (and `id` for threads), one cursor
    read PAGE rows at a time."""
    keep = set(kind.columns) | ({"id"} if kind.name == "thread" else set())
    query = kind.select(site_id)
    picked = [(i, c.name) for i, c in enumerate(query.selected_columns) if c.name in keep]
    names = [name for _, name in picked]
    getter = operator.itemgetter(*(i for i, _ in picked))
    values: Callable[[Any], Any] = getter if len(picked) > 1 else (lambda found: (getter(found),))
    result = await conn.stream(query)
    # Plain rows and one itemgetter: building mappings per row cost more than encoding them (profiled).
    async for page in result.partitions(PAGE):
        for found in page:
            row = dict(zip(names, values(found), strict=True))
            yield kind.clean(row) if kind.clean else row


async def select_existing(
    conn: AsyncConnection, kind: Kind, rows: Sequence[Row]
) -> dict[tuple[Any, ...], Row]:
    """The stored rows (their key, record columns and, for threads, id) whose keys `rows` have (with the
    site's id and thread ids in place), by key. The keys of every kind but threads have no NULLs; threads
    are looked up one by one (NULL-safe)."""
    if not rows:
        return {}
    cols = [kind.table.c[c] for c in kind.key]
    linked = {k.field: k.column for k in kind.links}
    columns = (linked.get(c, c) for c in kind.columns)
    names = dict.fromkeys((*kind.key, *columns, *(("id",) if kind.name == "thread" else ())))
    fetch = sa.select(*(kind.table.c[c] for c in names if c not in kind.computed))
    keys = [tuple(r.get(c) for c in kind.key) for r in rows]
    found: dict[tuple[Any, ...], Row] = {}
    if kind.name == "thread":
        for key in keys:
            match = [col.is_not_distinct_from(v) for col, v in zip(cols, key, strict=True)]
            row = (await conn.execute(fetch.where(*match).order_by(threads.c.id).limit(1))).first()
            if row is not None:
                found[key] = dict(row._mapping)
        return found
    query = (
        fetch.where(sa.tuple_(*cols).in_(keys))
        if len(cols) > 1
        else fetch.where(cols[0].in_([k[0] for k in keys]))
    )
    for row in await conn.execute(query):
        stored = dict(row._mapping)
        found[tuple(stored[c] for c in kind.key)] = stored
    return found


async def select_linked_ids(
    conn: AsyncConnection, link: Link, site_id: int, rows: Sequence[Row]
) -> dict[tuple[Any, ...], int]:
    """The ids of the rows `rows` name through `link` (by `link.by` and `link.same`, on the site when the
    target has sites), by those values."""
    target = link.target
    wanted = sorted({r[link.field] for r in rows if r.get(link.field) is not None}, key=repr)
    if not wanted:
        return {}
    query = sa.select(target.c.id, target.c[link.by], *(target.c[c] for c in link.same)).where(
        target.c[link.by].in_(wanted)
    )
    if "site_id" in target.c:
        query = query.where(target.c.site_id == site_id)
    return {tuple(found[1:]): int(found[0]) for found in await conn.execute(query)}


async def update_row(conn: AsyncConnection, kind: Kind, stored: Row, changes: Row) -> None:
    """Take the file's values for a stored row (found by its key, or its id for a thread)."""
    names = ("id",) if kind.name == "thread" else kind.key
    match = [kind.table.c[c] == stored[c] for c in names]
    try:
        await conn.execute(sa.update(kind.table).where(*match).values(**changes))
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise _unfit(kind.name, exc) from None


async def insert_thread_row(conn: AsyncConnection, row: Row) -> int:
    try:
        return await insert_returning_id(conn, sa.insert(threads).values(**row))
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise _unfit("thread", exc) from None


async def insert_rows(conn: AsyncConnection, kind: Kind, rows: Sequence[Row]) -> None:
    if not rows:
        return
    try:
        await conn.execute(sa.insert(kind.table), list(rows))
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise _unfit(kind.name, exc) from None


def check_types(kind: Kind, row: Row) -> None:
    """Each value of the record is of its column's type (SQLite would store text in an integer column).

    Raises:
        Invalid: naming the field.
    """
    linked = {k.field: k for k in kind.links}
    for name, value in row.items():
        link = linked.get(name)
        column = kind.table.c.get(name) if link is None else link.target.c[link.by]
        if column is None:
            continue
        if value is None:
            if not (column if link is None else kind.table.c[link.column]).nullable:
                raise Invalid(f"{name} is empty")
            continue
        kinds: tuple[type, ...] = ()
        if isinstance(column.type, sa.Boolean):
            kinds = (bool,)
        elif isinstance(column.type, sa.Integer):
            kinds = (int,)
        elif isinstance(column.type, sa.Float):
            kinds = (int, float)
        elif isinstance(column.type, sa.String):  # Text too
            kinds = (str,)
        if kinds and (not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))):
            raise Invalid(f"{name} is not of type {column.type.python_type.__name__}")


def a_record(kind: str) -> str:
    """ "a comment record", "an address record": how messages name a record of `kind`."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} record"


def _unfit(kind: str, exc: Exception) -> Invalid:
    """A record the database refuses (a wrong type, a missing value, a reference to nothing): the file
    was edited or is not ours. The driver's own words, first line only."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
    return Invalid(f"{a_record(kind)} does not fit the database: {reason}")


async def select_comments_elsewhere(conn: AsyncConnection, site_id: int, ids: Sequence[str]) -> list[str]:
    """Which of these comment ids belong to another site's threads."""
    query = (
        sa.select(comments.c.id)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(comments.c.id.in_(ids), threads.c.site_id != site_id)
        .order_by(comments.c.id)
    )
    return [r[0] for r in await conn.execute(query)]


async def select_address_ids(conn: AsyncConnection, site_id: int, emails: Sequence[str]) -> dict[str, int]:
    """The ids of the site's notification addresses of these emails, by email."""
    a = email_addresses.c
    query = sa.select(a.email, a.id).where(a.site_id == site_id, a.email.in_(sorted(set(emails))))
    return {r[0]: int(r[1]) for r in await conn.execute(query)}


async def update_site_row(conn: AsyncConnection, site_id: int, origins: list[str], settings: Any) -> None:
    await conn.execute(
        sa.update(sites).where(sites.c.id == site_id).values(origins=origins, settings=settings)
    )


async def insert_site_row(conn: AsyncConnection, name: str, row: Row) -> int:
    return await insert_returning_id(conn, sa.insert(sites).values(name=name, **row))


async def select_site_id(conn: AsyncConnection, name: str) -> tuple[int, list[str]] | None:
    found = (await conn.execute(sa.select(sites.c.id, sites.c.origins).where(sites.c.name == name))).first()
    return (int(found[0]), list(found[1] or [])) if found else None


async def snapshot_isolation(conn: AsyncConnection) -> None:
    """Make every read of this connection see one snapshot (an export of a site in use is consistent).
    SQLite's read transaction is one already (WAL); PostgreSQL needs REPEATABLE READ."""
    if conn.dialect.name == "postgresql":
        await conn.execution_options(isolation_level="REPEATABLE READ")
