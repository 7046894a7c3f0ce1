"""Importing another system's export into a site: records from an `importers` reader are cleaned like
posted comments, threaded, and written in batches (one transaction each). Idempotent: source ids are
remembered, so a second run adds nothing and takes the export's version of what changed.

Imported comments send nothing: no `comment.posted` event is written for them (so no moderator email,
notification or webhook), only one `comments.imported` event per thread and batch, which only the cache
invalidation handles. docs/importing.md says what each choice below means for a publisher.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

import msgspec

from rejoinder.domain import text as markdown
from rejoinder.domain.comments import (
    Author,
    Comment,
    CommentLimits,
    CommentStatus,
    clean_author,
)
from rejoinder.domain.identity import anonymize_ip, author_key
from rejoinder.domain.sites import Site
from rejoinder.domain.urls import check_website
from rejoinder.errors import Conflict, Invalid
from rejoinder.events.kinds import Event, EventKind
from rejoinder.importers.base import ImportedComment, Importer, Skipped, SourceStatus, UnreadableExport
from rejoinder.importers.html import to_markdown
from rejoinder.services.context import Context
from rejoinder.services.threads import article_url, event_thread
from rejoinder.store import engine as store_engine
from rejoinder.store import imports as import_store
from rejoinder.store import threads as thread_store
from rejoinder.store.scratch import SourceMap
from rejoinder.store.threads import ThreadRow

US = 1_000_000
OLDEST = 788_918_400 * US  # 1995-01-01: no comment system exported anything older
FUTURE_SLACK = 86_400 * US  # a day ahead of our clock: time zones and clock drift, not a typo'd year
BATCH = 500
YIELD_EVERY = 50  # records read between two turns given to the event loop
ANONYMOUS = "Anonymous"

_STATUS = {
    SourceStatus.PUBLIC: CommentStatus.PUBLISHED,
    SourceStatus.APPROVED: CommentStatus.APPROVED,
    SourceStatus.PENDING: CommentStatus.PENDING,
    SourceStatus.SPAM: CommentStatus.SPAM,
    SourceStatus.DELETED: CommentStatus.DELETED,
}


class UrlMapping(msgspec.Struct, frozen=True):
    """`--map-url OLD=NEW`: a thread URL starting with `old` starts with `new` instead."""

    old: str
    new: str


class Note(msgspec.Struct, frozen=True):
    """A record skipped, or imported with a change, with where it is in the file."""

    position: str
    reason: str
    detail: str
    source_id: str | None = None


@dataclass
class Summary:
    format: str
    dry_run: bool
    records: int = 0  # comments read from the file (imported, unchanged or skipped)
    added: Counter[str] = field(default_factory=Counter)  # new comments by our status
    updated: int = 0
    unchanged: int = 0
    threads_created: int = 0
    threads: set[int] = field(default_factory=set)  # every thread the file's comments are in
    skipped: list[Note] = field(default_factory=list)  # not imported
    changed: list[Note] = field(default_factory=list)  # imported, with something dropped or moved
    mapped: Counter[str] = field(default_factory=Counter)  # thread URLs each --map-url rewrote
    stopped: UnreadableExport | None = None  # the file stopped making sense here

    def skipped_by_reason(self) -> Counter[str]:
        return Counter(n.reason for n in self.skipped)


class _Prepared(msgspec.Struct):
    source_id: str
    position: str
    thread_url: str
    thread_title: str | None
    parent_source_id: str | None
    text: str
    html: str
    name: str
    email: str | None
    website: str | None
    ip: str | None
    key: str
    created: int
    status: CommentStatus


class _Placed(msgspec.Struct, frozen=True):
    comment_id: str
    thread_id: int
    depth: int


_UNSAFE_CHARS = re.compile("[\x00\ud800-\udfff]")


def _clean_chars(value: str) -> str:
    """No NUL and no lone surrogates: what no database or browser should receive. (A regex: a generator
    over the characters was a tenth of an import's CPU time.)"""
    return _UNSAFE_CHARS.sub("", value)


def _map_url(url: str, mappings: list[UrlMapping], summary: Summary) -> str:
    for mapping in sorted(mappings, key=lambda m: len(m.old), reverse=True):
        if url.startswith(mapping.old):
            summary.mapped[f"{mapping.old}={mapping.new}"] += 1
            return mapping.new + url[len(mapping.old) :]
    return url


@dataclass
class _Undo:
    """What one transaction changed in a run's state, to put back when the database refuses it."""

    added: Counter[str]
    updated: int
    unchanged: int
    threads_created: int
    skipped: int
    changed: int
    threads: list[int] = field(default_factory=list)  # ids added to summary.threads
    placed: list[str] = field(default_factory=list)
    waiting: dict[str, list[_Prepared] | None] = field(default_factory=dict)  # as they were before
    cached: dict[str, ThreadRow | None] = field(default_factory=dict)  # run.threads as they were before

    @classmethod
    def of(cls, run: _Run) -> _Undo:
        s = run.summary
        return cls(
            Counter(s.added), s.updated, s.unchanged, s.threads_created, len(s.skipped), len(s.changed)
        )

    def keep_waiting(self, run: _Run, parent_id: str) -> None:
        if parent_id not in self.waiting:
            found = run.waiting.get(parent_id)
            self.waiting[parent_id] = list(found) if found is not None else None

    def restore(self, run: _Run) -> None:
        s = run.summary
        s.added, s.updated, s.unchanged, s.threads_created = (
            self.added,
            self.updated,
            self.unchanged,
            self.threads_created,
        )
        del s.skipped[self.skipped :]
        del s.changed[self.changed :]
        s.threads.difference_update(self.threads)
        run.placed.forget(self.placed)
        for parent_id, waiting in self.waiting.items():
            if waiting is None:
                run.waiting.pop(parent_id, None)
            else:
                run.waiting[parent_id] = waiting
        for url, thread in self.cached.items():
            if thread is None:
                run.threads.pop(url, None)
            else:
                run.threads[url] = thread


@dataclass
class _Run:
    ctx: Context
    site: Site
    importer: Importer
    mappings: list[UrlMapping]
    summary: Summary
    limits: CommentLimits
    batch_size: int
    # Out of Python memory (store/scratch.py): what the file has shown, and where each comment went.
    placed: SourceMap[_Placed] = field(default_factory=lambda: SourceMap(_Placed))
    waiting: dict[str, list[_Prepared]] = field(default_factory=dict)
    threads: dict[str, ThreadRow] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)  # thread URLs as in the file (mapped) → checked
    fake_ids: int = 0
    # Rows written so far, and at how many the planner's statistics are refreshed next (doubling).
    written: int = 0
    refresh_statistics_at: int = 1_000

    def prepare(self, record: ImportedComment) -> _Prepared | Note:
        """Clean one record as a posted comment is cleaned; a Note says why it cannot be imported."""
        ctx, summary, limits = self.ctx, self.summary, self.limits
        at, sid = record.position, record.source_id

        def skip(reason: str, detail: str) -> Note:
            return Note(at, reason, detail, sid)

        if len(sid) > 200:
            return skip("bad-id", "the source id is longer than 200 characters")
        now = ctx.clock()
        if record.created < OLDEST:
            return skip("date-too-old", "dated before 1995")
        if record.created > now + FUTURE_SLACK:
            return skip("date-in-future", "dated more than a day after now")
        mapped = _map_url(record.thread_url, self.mappings, summary)
        if mapped.startswith("/") and not mapped.startswith("//"):  # a path (Isso): on the site's origin
            if not self.site.origins:
                return skip("bad-thread-url", f"{mapped!r} is a path and site {self.site.name} has no origin")
            mapped = self.site.origins[0].rstrip("/") + mapped
        url = self.urls.get(mapped)
        if url is None:  # checked once per page, not once per comment (a tenth of the time was urlsplit)
            try:
                url = self.urls[mapped] = article_url(ctx, _clean_chars(mapped))
            except Invalid as exc:
                return skip("bad-thread-url", f"{record.thread_url!r}: {exc.detail}")
        source = record.markdown if record.markdown is not None else to_markdown(record.html or "")
        text = _clean_chars(source).strip()
        if len(text) > limits.max_text_length:
            return skip("text-too-long", f"{len(text)} characters; this site takes {limits.max_text_length}")
        status = _STATUS[record.status]
        name = " ".join(_clean_chars(record.author_name).split())[: limits.max_name_length] or ANONYMOUS
        email = self._email(record.author_email)
        website = self._website(record)
        if not text and status is not CommentStatus.DELETED:
            summary.changed.append(
                skip("empty-text", "no text: kept as a deleted placeholder for its replies")
            )
            status = CommentStatus.DELETED
        if status is CommentStatus.DELETED:  # as a deletion leaves it: a placeholder, nothing personal
            text, name, email, website = "", "", None, None
        title = " ".join(_clean_chars(record.thread_title or "").split())[:500] or None
        return _Prepared(
            source_id=sid,
            position=at,
            thread_url=url,
            thread_title=title,
            parent_source_id=record.parent_source_id,
            text=text,
            html=markdown.render(text) if text else "",
            name=name,
            email=email,
            website=website,
            ip=anonymize_ip((record.author_ip or "").strip() or None),
            key=author_key(ctx.id_key, self.site.id, email=email, name=name or ANONYMOUS, visitor=None),
            created=record.created,
            status=status,
        )

    def _email(self, raw: str | None) -> str | None:
        value = _clean_chars(raw or "").strip()
        if not value:
            return None
        try:
            return clean_author(ANONYMOUS, value, None, self.limits)[1]
        except Invalid:
            return None  # an address we could never write to is no use; the name stays

    def _website(self, record: ImportedComment) -> str | None:
        value = _clean_chars(record.author_website or "").strip()
        if not value or value in ("http://", "https://"):
            return None
        try:
            return check_website(value, max_length=self.limits.max_url_length)
        except Invalid as exc:
            self.summary.changed.append(
                Note(record.position, "website-dropped", f"{value[:80]!r}: {exc.detail}", record.source_id)
            )
            return None

    async def flush(self, batch: Iterable[_Prepared]) -> None:
        """Place a batch (and the replies that were waiting for its comments) in one transaction. When the
        database refuses it, nothing of it stays and its comments are written one at a time: the one it
        refuses is reported with its position and skipped (its replies become top-level comments)."""
        items = list(batch)
        if not items:
            return
        try:
            await self._write(items, release=True)
            return
        except (Conflict, Invalid) as exc:
            if len(items) == 1 and not self.waiting.get(items[0].source_id):
                self._refused(items[0], exc)
                return
        for item in items:
            await self._write_one(item)
        replies = [
            r for item in items if item.source_id in self.placed for r in self.waiting.pop(item.source_id, [])
        ]
        await self.flush(replies)

    async def _write_one(self, item: _Prepared) -> None:
        try:
            await self._write([item], release=False)
        except (Conflict, Invalid) as exc:
            self._refused(item, exc)

    def _refused(self, item: _Prepared, exc: Conflict | Invalid) -> None:
        self.summary.skipped.append(
            Note(item.position, "write-failed", f"the database refused it: {exc.detail}", item.source_id)
        )

    async def _write(self, items: list[_Prepared], *, release: bool) -> None:
        """One transaction. What it changes in this run's state is undone when the transaction fails."""
        queue = deque(items)
        ctx, site, summary = self.ctx, self.site, self.summary
        fmt = self.importer.name
        dry = summary.dry_run
        now = ctx.clock()
        undo = _Undo.of(self)
        opened = store_engine.read(ctx.engine) if dry else store_engine.write(ctx.engine)
        events: list[Event] = []
        try:
            async with opened as conn:
                asked = {p.source_id for p in queue}
                known = await import_store.select_known(conn, site.id, fmt, sorted(asked))
                new: list[import_store.Imported] = []
                changed: list[import_store.Imported] = []
                touched: dict[int, ThreadRow] = {}
                while queue:
                    item = queue.popleft()
                    parent: _Placed | None = None
                    if item.parent_source_id is not None:
                        parent = self.placed.get(item.parent_source_id)
                        if parent is None:  # its parent comes later in the file (or never: see finish)
                            undo.keep_waiting(self, item.parent_source_id)
                            self.waiting.setdefault(item.parent_source_id, []).append(item)
                            continue
                    thread = await self._thread(conn, item, now, undo)
                    if parent is not None and parent.thread_id != thread.id:
                        summary.changed.append(
                            Note(
                                item.position,
                                "parent-other-thread",
                                "its parent is on another page: shown as a top-level comment",
                                item.source_id,
                            )
                        )
                        parent = None
                    if item.source_id not in asked:  # a reply released from an earlier batch's wait
                        asked.add(item.source_id)
                        known.update(await import_store.select_known(conn, site.id, fmt, [item.source_id]))
                    before = known.get(item.source_id)
                    comment = Comment(
                        id=before.comment_id if before else ctx.token(9),
                        thread_id=thread.id,
                        parent=parent.comment_id if parent else None,
                        text=item.text,
                        html=item.html,
                        author=Author(name=item.name, email=item.email, website=item.website, key=item.key),
                        status=item.status,
                        created=item.created,
                        edited=None,
                        likes=0,
                        depth=parent.depth + 1 if parent else 0,
                    )
                    digest = _digest(item, comment)
                    row = import_store.Imported(
                        comment=comment, source_id=item.source_id, digest=digest, ip=item.ip
                    )
                    if before is None:
                        new.append(row)
                        summary.added[item.status.value] += 1
                    elif before.digest != digest:
                        changed.append(row)
                        summary.updated += 1
                    else:
                        summary.unchanged += 1
                    if before is None or before.digest != digest:
                        touched[thread.id] = thread
                    if thread.id not in summary.threads:
                        undo.threads.append(thread.id)
                        summary.threads.add(thread.id)
                    undo.placed.append(item.source_id)
                    self.placed.put(item.source_id, _Placed(comment.id, thread.id, comment.depth))
                    if release:  # its replies that came before it
                        undo.keep_waiting(self, item.source_id)
                        queue.extend(self.waiting.pop(item.source_id, []))
                if not dry:
                    await import_store.insert_imported(conn, site.id, fmt, new, now)
                    self.written += len(new)
                    if self.written >= self.refresh_statistics_at:
                        self.refresh_statistics_at = 2 * self.written
                        await import_store.refresh_statistics(conn)
                    for row in changed:
                        await import_store.update_imported(conn, site.id, fmt, row)
                    await import_store.recount_threads(conn, touched)
                    for thread in touched.values():
                        events.append(
                            await ctx.outbox.add(
                                conn,
                                EventKind.COMMENTS_IMPORTED,
                                thread=event_thread(thread),
                                data={
                                    "format": fmt,
                                    "added": sum(1 for r in new if r.comment.thread_id == thread.id),
                                },
                            )
                        )
        except (Conflict, Invalid):
            undo.restore(self)
            raise
        if events:
            ctx.outbox.committed(*events)

    async def _thread(self, conn: object, item: _Prepared, now: int, undo: _Undo) -> ThreadRow:
        from sqlalchemy.ext.asyncio import AsyncConnection

        assert isinstance(conn, AsyncConnection)
        thread = self.threads.get(item.thread_url)
        if item.thread_url not in undo.cached:
            undo.cached[item.thread_url] = thread
        if thread is None:
            thread = await thread_store.select_thread(conn, self.site.id, uri=item.thread_url, key=None)
            if thread is None:
                self.summary.threads_created += 1
                if self.summary.dry_run:
                    self.fake_ids -= 1
                    thread = ThreadRow(
                        self.fake_ids, self.site.id, item.thread_url, None, item.thread_title, 0, 0
                    )
                else:
                    thread = await thread_store.insert_thread(
                        conn, self.site.id, uri=item.thread_url, key=None, title=item.thread_title, now=now
                    )
            self.threads[item.thread_url] = thread
        if item.thread_title and not thread.title and not self.summary.dry_run:
            await thread_store.update_thread_title(conn, thread.id, item.thread_title)
            thread = msgspec.structs.replace(thread, title=item.thread_title)
            self.threads[item.thread_url] = thread
        return thread

    async def finish(self) -> None:
        """Replies whose parent never came (not in the file, skipped, or their parents form a cycle) become
        top-level comments, each reported; their own replies then follow them as usual."""
        while self.waiting:
            parent_id = next(iter(self.waiting))
            orphans = self.waiting.pop(parent_id)
            for orphan in orphans:
                self.summary.changed.append(
                    Note(
                        orphan.position,
                        "parent-missing",
                        f"its parent {parent_id!r} was not imported: shown as a top-level comment",
                        orphan.source_id,
                    )
                )
                orphan.parent_source_id = None
            await self.flush(orphans)


def _digest(item: _Prepared, comment: Comment) -> str:
    """What a re-import compares: the record as we would store it (ids and positions left out)."""
    data = msgspec.json.encode(
        [
            comment.thread_id,
            comment.parent,
            item.text,
            item.name,
            item.email,
            item.website,
            item.ip,
            item.created,
            item.status.value,
        ]
    )
    return hashlib.blake2b(data, digest_size=16).hexdigest()


async def import_comments(
    ctx: Context,
    site: Site,
    importer: Importer,
    stream: BinaryIO,
    *,
    mappings: list[UrlMapping] | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH,
    on_record: Callable[[Summary], None] | None = None,
) -> Summary:
    """Read `stream` with `importer` and write its comments into `site` (nothing with `dry_run`).

    A bad record is skipped and noted with its position; a file that stops making sense (UnreadableExport)
    ends the reading, and what came before it is still imported. `on_record` runs after each record
    (progress). Parents must be in the same file; a reply that comes before its parent waits for it.
    """
    c = ctx.settings.comments
    limits = CommentLimits(
        max_text_length=c.max_text_length, max_name_length=c.max_name_length, max_url_length=c.max_url_length
    )
    summary = Summary(format=importer.name, dry_run=dry_run)
    run = _Run(ctx, site, importer, list(mappings or []), summary, limits, batch_size)
    try:
        await _read_all(run, importer, stream, on_record)
        await run.finish()
    finally:
        run.placed.close()
    return summary


async def _read_all(
    run: _Run, importer: Importer, stream: BinaryIO, on_record: Callable[[Summary], None] | None
) -> None:
    summary, batch_size = run.summary, run.batch_size
    batch: list[_Prepared] = []
    try:
        for record in importer.read(stream):
            summary.records += 1
            if isinstance(record, Skipped):
                summary.skipped.append(Note(record.position, record.reason, record.detail, record.source_id))
            elif not run.placed.first_time(record.source_id):
                summary.skipped.append(
                    Note(
                        record.position,
                        "duplicate-id",
                        "an earlier comment has the same id",
                        record.source_id,
                    )
                )
            else:
                prepared = run.prepare(record)
                if isinstance(prepared, Note):
                    summary.skipped.append(prepared)
                else:
                    batch.append(prepared)
                    if len(batch) >= batch_size:
                        await run.flush(batch)
                        batch = []
            if on_record is not None:
                on_record(summary)
            if summary.records % YIELD_EVERY == 0:  # let the server's other work run (an import from /admin)
                await asyncio.sleep(0)
    except UnreadableExport as exc:
        summary.stopped = exc
    await run.flush(batch)


def _listed(heading: str, notes: list[Note], listed: int) -> list[str]:
    """`heading`, then the first `listed` notes with their position, then how many more there are."""
    lines = [heading]
    lines += [f"  {n.position}: {n.reason}{f' ({n.detail})' if n.detail else ''}" for n in notes[:listed]]
    if len(notes) > listed:
        lines.append(f"  … and {len(notes) - listed} more")
    return lines


def describe(summary: Summary, label: str, file_name: str, site_name: str, *, listed: int = 50) -> list[str]:
    """The summary `rejoinder import` prints: counts first, then every skipped or changed record with its
    position (the first `listed` of each), then the URL mappings applied."""
    s = summary
    lines = []
    if s.dry_run:
        lines.append("Dry run: nothing was written. This is what an import would do:")
    lines.append(f"{label} export {file_name} → site {site_name}")
    lines.append(f"Threads: {len(s.threads)} ({s.threads_created} new)")
    by_status = ", ".join(f"{status} {n}" for status, n in sorted(s.added.items()))
    added = sum(s.added.values())
    lines.append(
        f"Comments: {added} new{f' ({by_status})' if by_status else ''}, {s.updated} updated, "
        f"{s.unchanged} unchanged"
    )
    reasons = s.skipped_by_reason()
    skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    lines += _listed(f"Skipped: {len(s.skipped)}{f' ({skipped})' if skipped else ''}", s.skipped, listed)
    if s.changed:
        lines += _listed(f"Imported with changes: {len(s.changed)}", s.changed, listed)
    if s.mapped:
        lines.append("URL mappings applied:")
        for mapping, n in sorted(s.mapped.items()):
            lines.append(f"  {mapping}: {n} comment(s)")
    if s.stopped is not None:
        lines.append(f"Stopped at {s.stopped.position}: {s.stopped.message}")
        lines.append("Everything before that point was imported; fix the file and run the command again.")
    return lines
