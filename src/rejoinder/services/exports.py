"""Exporting a site (rejoinder's own JSON lines, lossless; or WordPress WXR) and restoring an export of
ours into a site. The kinds of records and their SQL are in store/exports.py, the file format in
importers/jsonl.py and importers/wxr_export.py.

An export reads one snapshot of the database and streams it: rows come from a cursor a page at a time and
the body goes through a temporary file (the manifest, first in the file, needs the body's checksums).
A restore writes the whole file in one transaction, kept only when every line, count and checksum matched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, BinaryIO

import msgspec

from rejoinder.domain import text as markdown
from rejoinder.domain.comments import CommentStatus
from rejoinder.domain.email_links import check_address
from rejoinder.domain.sites import Site, SiteOptions, check_site_name
from rejoinder.domain.subscriptions import DeliveryMode, SubscriptionKind, SubscriptionState, target_of
from rejoinder.domain.urls import check_website, normalize_origin
from rejoinder.errors import Conflict, Invalid, RejoinderError
from rejoinder.events.kinds import Event, EventKind
from rejoinder.importers import jsonl, wxr_export
from rejoinder.importers.base import UnreadableExport
from rejoinder.services.context import Context
from rejoinder.services.threads import event_thread
from rejoinder.store import engine as store_engine
from rejoinder.store import exports as store
from rejoinder.store.threads import ThreadRow

BATCH = 500  # records written per statement on restore


@dataclass
class ExportSummary:
    counts: dict[str, int]  # records of each kind written


@dataclass
class RestoreSummary:
    dry_run: bool
    site_created: bool = False
    added: Counter[str] = field(default_factory=Counter)  # records written, by kind
    updated: Counter[str] = field(
        default_factory=Counter
    )  # records there with other values: the file's taken
    present: Counter[str] = field(default_factory=Counter)  # records already there as they are in the file
    schema: str = ""  # the exporting database's schema revision


# --- export ------------------------------------------------------------------------------------------


def _to_file(kind: store.Kind, row: store.Row, refs: dict[int, int]) -> store.Row:
    """A stored row as its record: thread ids become the threads' numbers in the file (1, 2, …)."""
    if kind.name == "thread":
        refs[row.pop("id")] = row["ref"] = len(refs) + 1
    if kind.thread_column is not None and row[kind.thread_column] is not None:
        row[kind.thread_column] = refs[row[kind.thread_column]]
    if kind.thread_target is not None:
        column, value, id_column = kind.thread_target
        if row[column] == value:
            target = str(row[id_column])
            ref = refs.get(int(target)) if target.isdigit() else None
            row[id_column] = str(ref) if ref is not None else "-"  # "-": a thread removed since
    return row


async def export_jsonl(ctx: Context, site: Site, out: BinaryIO) -> ExportSummary:
    """Write `site` to `out` as rejoinder's JSON lines: manifest first, then every kind of KINDS."""
    digests = jsonl.Digests([k.name for k in store.KINDS])
    refs: dict[int, int] = {}
    with tempfile.TemporaryFile() as body:
        async with store_engine.read(ctx.engine) as conn:
            await store.snapshot_isolation(conn)
            schema = await store.select_schema_revision(conn)
            for kind in store.KINDS:
                async for row in store.stream_kind(conn, kind, site.id):
                    line = jsonl.encode_record(kind.name, _to_file(kind, row, refs))
                    digests.add(kind.name, line)
                    body.write(line)
        out.write(jsonl.encode_manifest(digests.manifest(schema)))
        body.seek(0)
        shutil.copyfileobj(body, out, 1024 * 1024)
    return ExportSummary(counts=dict(digests.counts))


async def export_wxr(ctx: Context, site: Site, out: BinaryIO, zone: tzinfo) -> ExportSummary:
    """Write `site` as WordPress WXR 1.2: one post item per thread with comments, its comments in it.
    `zone` is the blog's time zone, for WordPress's local dates (`comment_date`)."""
    threads: dict[int, store.Row] = {}
    counts: Counter[str] = Counter()
    origin = site.origins[0] if site.origins else ""
    async with store_engine.read(ctx.engine) as conn:
        await store.snapshot_isolation(conn)
        async for row in store.stream_kind(conn, store.BY_NAME["thread"], site.id):
            threads[row["id"]] = row
        out.write(wxr_export.header(site.name, origin))
        writer = wxr_export.Items(zone)
        async for row in store.stream_kind(conn, store.BY_NAME["comment"], site.id):
            thread = threads[row["thread_id"]]
            out.write(writer.comment(thread["id"], thread, row))
            counts["comment"] += 1
        out.write(writer.close())
        out.write(wxr_export.footer())
    counts["thread"] = writer.items
    return ExportSummary(counts=dict(counts))


# --- restore -----------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised at the end of a dry run so that its transaction rolls back."""


@dataclass
class _Restore:
    ctx: Context
    site_name: str
    summary: RestoreSummary
    conn: Any = None
    site_id: int | None = None
    threads: dict[int, ThreadRow] = field(default_factory=dict)  # by number in the file
    touched: Counter[int] = field(default_factory=Counter)  # new comments by thread id
    changed: set[int] = field(default_factory=set)  # threads whose shown data changed (their caches)

    async def site(self, line: jsonl.Line | None) -> int:
        """The site's id: found by name (origins united with the export's, settings replaced) or created
        from the export's site record."""
        if self.site_id is not None:
            return self.site_id
        found = await store.select_site_id(self.conn, self.site_name)
        if line is None or line.kind != "site":
            if found is None:
                where = f"line {line.number}" if line else "line 2"
                raise UnreadableExport("the file's first record is not its site", where)
            self.site_id = found[0]
            return found[0]
        data = _checked(store.BY_NAME["site"], line)
        if found is None:
            self.site_id = await store.insert_site_row(self.conn, self.site_name, data)
            self.summary.site_created = True
            self.summary.added["site"] += 1
        else:
            self.site_id = found[0]
            origins = sorted(set(found[1]) | set(data.get("origins") or []))
            await store.update_site_row(self.conn, found[0], origins, data.get("settings") or {})
            self.summary.present["site"] += 1
        return self.site_id

    def _from_file(self, kind: store.Kind, line: jsonl.Line, site_id: int) -> store.Row:
        row = _checked(kind, line)
        if kind.site_column is not None:
            row[kind.site_column] = site_id
        if kind.thread_column is not None and row.get(kind.thread_column) is not None:
            row[kind.thread_column] = self._thread_id(row.get(kind.thread_column), line)
        if kind.thread_target is not None:
            column, value, id_column = kind.thread_target
            target = str(row.get(id_column, ""))
            if row.get(column) == value and target.isdigit():
                row[id_column] = str(self._thread_id(int(target), line))
        return row

    def _thread_id(self, ref: Any, line: jsonl.Line) -> int:
        thread = self.threads.get(ref) if isinstance(ref, int) else None
        if thread is None:
            raise UnreadableExport(f"names thread {ref!r}, which no thread record before it has", _at(line))
        return thread.id

    async def flush(self, kind: store.Kind, lines: list[jsonl.Line]) -> None:
        if not lines:
            return
        site_id = await self.site(None)
        try:
            if kind.name == "thread":
                await self._threads(kind, lines, site_id)
                return
            rows = [self._from_file(kind, line, site_id) for line in lines]
            if kind.name == "subscription":
                await self._subscriptions(rows, site_id)
            for link in kind.links:
                await self._link(link, rows, site_id)
            present = await store.select_existing(self.conn, kind, rows)
            if kind.name == "comment" and present:
                elsewhere = await store.select_comments_elsewhere(
                    self.conn, site_id, sorted(k[0] for k in present)
                )
                if elsewhere:
                    raise Conflict(
                        f"comment {elsewhere[0]} is on another site of this instance: an export is restored "
                        "into one site of an instance"
                    )
            new = []
            for row in rows:
                key = tuple(row.get(c) for c in kind.key)
                stored = present.get(key)
                if stored is not None:
                    if await self._update(kind, stored, row):
                        self._changed(kind, row)
                    continue
                present[key] = row
                new.append(row)
                self._changed(kind, row)
                if kind.name == "comment":
                    self.touched[row["thread_id"]] += 1
            await store.insert_rows(self.conn, kind, new)
            self.summary.added[kind.name] += len(new)
        except RejoinderError as exc:
            raise UnreadableExport(exc.detail, f"lines {lines[0].number}-{lines[-1].number}") from None

    def _changed(self, kind: store.Kind, row: store.Row) -> None:
        """The record's thread (if it names one) changed: its caches are refreshed."""
        if kind.thread_column is not None and row.get(kind.thread_column) is not None:
            self.changed.add(row[kind.thread_column])

    async def _subscriptions(self, rows: list[store.Row], site_id: int) -> None:
        """Name each subscription's address by its id on this site (addresses come before subscriptions
        in a file) and make its target again from what it follows."""
        found = await store.select_address_ids(self.conn, site_id, [str(r["email"]) for r in rows])
        for row in rows:
            email = row.pop("email")
            if email not in found:
                raise Invalid(f"a subscription of {email!r}, which no address record before it has")
            row["address_id"] = found[email]
            row["target"] = target_of(
                SubscriptionKind(row["kind"]),
                comment_id=row.get("comment_id"),
                thread_id=row.get("thread_id"),
                site_id=site_id,
            )

    async def _link(self, link: store.Link, rows: list[store.Row], site_id: int) -> None:
        """Name the linked rows (a remote actor, a legal notice) by their ids on this instance; they come
        before the records that name them in a file."""
        found = await store.select_linked_ids(self.conn, link, site_id, rows)
        for row in rows:
            value = row.pop(link.field, None)
            if value is None:
                row[link.column] = None
                continue
            key = (value, *(row.get(c, site_id if c == "site_id" else None) for c in link.same))
            if key not in found:
                raise Invalid(
                    f"{link.field} {value!r} names a {link.target.name} row no record before it has"
                )
            row[link.column] = found[key]

    async def _threads(self, kind: store.Kind, lines: list[jsonl.Line], site_id: int) -> None:
        for line in lines:
            row = _checked(kind, line)
            ref = row.pop("ref", None)
            if not isinstance(ref, int) or ref in self.threads:
                raise UnreadableExport(
                    f"a thread record needs a new number as its ref, not {ref!r}", _at(line)
                )
            row["site_id"] = site_id
            present = await store.select_existing(self.conn, kind, [row])
            if present:
                stored = next(iter(present.values()))
                thread_id = stored["id"]
                if await self._update(kind, stored, row):
                    self.changed.add(thread_id)
            else:
                thread_id = await store.insert_thread_row(self.conn, row)
                self.summary.added["thread"] += 1
            self.threads[ref] = ThreadRow(
                thread_id, site_id, row.get("uri"), row.get("key"), row.get("title"), 0, 0
            )

    async def _update(self, kind: store.Kind, stored: store.Row, row: store.Row) -> bool:
        """A record that is there already: left alone when equal, else the file's values are taken (an
        export taken again after more moderation on the old instance brings the changes). Whether it
        changed."""
        changes = {c: v for c, v in row.items() if c in stored and stored[c] != v}
        if not changes:
            self.summary.present[kind.name] += 1
            return False
        await store.update_row(self.conn, kind, stored, changes)
        self.summary.updated[kind.name] += 1
        return True

    async def announce(self) -> list[Event]:
        """One `comments.imported` event per thread that got or changed comments, likes or its own record
        (the caches' invalidation only: restored comments notify no one)."""
        by_id = {t.id: t for t in self.threads.values()}
        return [
            await self.ctx.outbox.add(
                self.conn,
                EventKind.COMMENTS_IMPORTED,
                thread=event_thread(by_id[thread_id]),
                data={"format": "jsonl", "added": self.touched[thread_id]},
            )
            for thread_id in sorted(self.changed)
        ]


def _at(line: jsonl.Line) -> str:
    return f"line {line.number}"


def _fields(kind: store.Kind, line: jsonl.Line) -> store.Row:
    """The record's fields, checked against its kind's columns (a field we do not know is an error: the
    file is from a newer rejoinder, or edited)."""
    allowed = set(kind.columns) | ({"ref"} if kind.name == "thread" else set())
    unknown = sorted(set(line.data) - allowed)
    if unknown:
        raise UnreadableExport(
            f"{store.a_record(kind.name)} with unknown fields: {', '.join(unknown)}", _at(line)
        )
    return dict(line.data)


def _check_site(row: store.Row) -> None:
    origins = row.get("origins")
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise Invalid("the site's origins are not a list of URLs")
    row["origins"] = [normalize_origin(o) for o in origins]
    msgspec.convert(row.get("settings") or {}, SiteOptions)  # what the server will read them as


def _check_comment(row: store.Row) -> None:
    # A file is hostile text like any other input: the HTML the widget inserts is sanitised again (a fixed
    # point on what rejoinder itself stored, so an export of ours goes through unchanged), and a website
    # that is not an http(s) URL (`javascript:`…) is dropped.
    if row.get("status") not in {s.value for s in CommentStatus}:
        raise Invalid(f"unknown comment status {row.get('status')!r}")
    row["html"] = markdown.sanitize(str(row.get("html") or ""))
    _check_url(row, "author_website")


def _check_url(row: store.Row, column: str) -> None:
    value = row.get(column)
    if value is None:
        return
    try:
        check_website(str(value))
    except Invalid:
        row[column] = None


def _check_address(row: store.Row) -> None:
    if row.get("email") != check_address(row.get("email")):
        raise Invalid(f"{row.get('email')!r} is not a normalised email address")
    if row.get("confirmed") is None:
        raise Invalid("an address nobody confirmed is not exported")


def _check_subscription(row: store.Row) -> None:
    if not isinstance(row.get("email"), str):
        raise Invalid("email is not a string")
    kind = SubscriptionKind(str(row.get("kind")))
    DeliveryMode(str(row.get("mode")))
    if row.get("state") != SubscriptionState.ACTIVE:
        raise Invalid("only active subscriptions are exported")
    needs = {
        SubscriptionKind.REPLIES: ("comment_id", "thread_id"),
        SubscriptionKind.THREAD: ("thread_id",),
        SubscriptionKind.SITE: (),
    }[kind]
    for name in ("comment_id", "thread_id"):
        if (row.get(name) is not None) != (name in needs):
            raise Invalid(f"a {kind.value} subscription with{'out' if name in needs else ''} {name}")


# What is checked in a record before it is written, by kind (kinds not listed hold nothing rendered).
_CHECKS: dict[str, Callable[[store.Row], None]] = {
    "site": _check_site,
    "comment": _check_comment,
    "identity": lambda row: _check_url(row, "profile_url"),
    "address": _check_address,
    "subscription": _check_subscription,
}


def _checked(kind: store.Kind, line: jsonl.Line) -> store.Row:
    row = _fields(kind, line)
    check = _CHECKS.get(kind.name)
    try:
        store.check_types(kind, row)
        if check is not None:
            check(row)
    except (Invalid, msgspec.ValidationError) as exc:
        detail = exc.detail if isinstance(exc, Invalid) else str(exc)
        raise UnreadableExport(f"{store.a_record(kind.name)} is not valid: {detail}", _at(line)) from None
    except ValueError as exc:  # an unknown subscription kind, mode or state
        raise UnreadableExport(f"{store.a_record(kind.name)} is not valid: {exc}", _at(line)) from None
    return row


async def restore(
    ctx: Context,
    site_name: str,
    stream: BinaryIO,
    *,
    dry_run: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> RestoreSummary:
    """Write an export of ours into the site named `site_name` (created if missing), ids kept: comments,
    identities and everything else keep their ids, threads get new ones. Records already there are left as
    they are (or take the file's values where they differ), so importing the same file again adds nothing.

    Raises:
        UnreadableExport: naming the line; nothing was written.
        Invalid: a bad site name.
    """
    check_site_name(site_name)
    summary = RestoreSummary(dry_run=dry_run)
    events: list[Event] = []
    try:
        async with store_engine.write(ctx.engine) as conn:
            run = _Restore(ctx, site_name, summary, conn)
            pending: list[jsonl.Line] = []
            current: store.Kind | None = None
            for item in jsonl.read_lines(stream, store.BY_NAME):
                if isinstance(item, jsonl.Manifest):
                    summary.schema = item.schema
                    continue
                if item.kind == "site":
                    if run.site_id is not None:
                        raise UnreadableExport("a second site record", _at(item))
                    await run.site(item)
                    continue
                kind = store.BY_NAME[item.kind]
                if kind is not current or len(pending) >= BATCH:
                    if current is not None:
                        await run.flush(current, pending)
                    current, pending = kind, []
                pending.append(item)
                if on_record is not None:
                    on_record(item.number)
            if current is not None:
                await run.flush(current, pending)
            await run.site(None)
            events = await run.announce()
            if dry_run:
                raise _DryRun
    except _DryRun:
        return summary
    ctx.outbox.committed(*events)
    return summary


def describe(summary: RestoreSummary, file_name: str, site_name: str) -> list[str]:
    """What `rejoinder import jsonl` prints."""
    lines = []
    if summary.dry_run:
        lines.append("Dry run: nothing was written. This is what an import would do:")
    made = " (created)" if summary.site_created else ""
    lines.append(f"rejoinder export {file_name} → site {site_name}{made}")
    kinds = [k.name for k in store.KINDS if k.name != "site"]
    added = ", ".join(f"{k} {summary.added[k]}" for k in kinds if summary.added[k])
    updated = ", ".join(f"{k} {summary.updated[k]}" for k in kinds if summary.updated[k])
    present = ", ".join(f"{k} {summary.present[k]}" for k in kinds if summary.present[k])
    lines.append(f"Added: {added or 'nothing'}")
    lines.append(f"Updated: {updated or 'nothing'}")
    lines.append(f"Unchanged: {present or 'nothing'}")
    return lines
