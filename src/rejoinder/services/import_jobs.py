"""Imports started from /admin: the format chosen or detected, a job row every worker can read, and the
import itself (services/imports.py), run in the background of the worker that took the upload, writing its
progress at most once a second and its summary at the end. The uploaded file is removed afterwards."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import msgspec

from rejoinder.errors import ImportJobNotFound, Invalid, RejoinderError
from rejoinder.importers import REGISTRY
from rejoinder.importers.base import Importer
from rejoinder.moderation.actions import Actor
from rejoinder.services import imports
from rejoinder.services.admin_auth import admin_site_ids
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import import_jobs as job_store
from rejoinder.store.import_jobs import ImportJob

log = logging.getLogger("rejoinder.imports")
PROGRESS_EVERY = 1.0  # seconds between two progress writes
STALE_US = 120 * 1_000_000  # a running job silent this long was interrupted (its worker stopped)
HEAD = 16384


async def import_scope(ctx: Context, actor: Actor) -> list[int] | None:
    """The sites `actor` may import into: None for an admin of every site, else those it is an admin of.
    Raises NotAnAdmin when there is none (moderators do not import)."""
    return await admin_site_ids(ctx, actor, "Only a site's admins import comments into it")


def choose_importer(name: str, head: bytes) -> Importer:
    """The importer named (checked against the file's first bytes), or the one format the file looks like.

    Raises:
        Invalid: unknown name, a file not in the named format, or no single format recognised.
    """
    if name:
        importer = REGISTRY.get(name)
        if importer is None:
            raise Invalid.field(
                "format", "import-format-unknown", f"Choose one of {', '.join(sorted(REGISTRY))}"
            )
        if not importer.detect(head):
            raise Invalid.field(
                "format", "import-format-unknown", f"The file is not in the {importer.label} format"
            )
        return importer
    found = [i for i in REGISTRY.values() if i.detect(head)]
    if len(found) != 1:
        raise Invalid.field(
            "format", "import-format-unknown", "The file's format was not recognised: choose it in the list"
        )
    return found[0]


def url_mappings(lines: tuple[str, ...]) -> list[tuple[str, str]]:
    """`OLD_PREFIX=NEW_PREFIX` lines, as `rejoinder import --map-url` takes them.

    Raises:
        Invalid: a line without `=` or with an empty side.
    """
    out = []
    for line in lines:
        old, sep, new = line.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise Invalid.field(
                "map_url", "url-mapping-invalid", f"{line[:100]!r} is not OLD_PREFIX=NEW_PREFIX"
            )
        out.append((old.strip(), new.strip()))
    return out


async def create_job(
    ctx: Context, importer: Importer, site_id: int, file_name: str, size: int, dry_run: bool, started_by: str
) -> ImportJob:
    now = ctx.clock()
    job = ImportJob(
        id=ctx.token(12),
        site_id=site_id,
        format=importer.name,
        file_name=file_name[:255],
        size=size,
        dry_run=dry_run,
        state="running",
        records=0,
        started_by=started_by[:200],
        summary=None,
        created=now,
        updated=now,
    )
    async with store_engine.write(ctx.engine) as conn:
        await job_store.insert_job(conn, job)
    return job


async def run_job(
    ctx: Context, job: ImportJob, work_dir: Path, upload: Path, mappings: list[imports.UrlMapping]
) -> None:
    """The import of `upload` (inside `work_dir`, removed at the end whatever happens)."""
    records = 0
    importer = REGISTRY[job.format]

    def on_record(summary: imports.Summary) -> None:
        nonlocal records
        records = summary.records

    async def report_progress() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            async with store_engine.write(ctx.engine) as conn:
                await job_store.update_progress(conn, job.id, records, ctx.clock())

    ticker = asyncio.create_task(report_progress())
    try:
        site = await ctx.sites.by_id(job.site_id)
        with upload.open("rb") as stream:
            summary = await imports.import_comments(
                ctx, site, importer, stream, mappings=mappings, dry_run=job.dry_run, on_record=on_record
            )
        state = "stopped" if summary.stopped is not None else "done"
        lines = imports.describe(summary, importer.label, job.file_name, site.name)
        records = summary.records
    except RejoinderError as exc:
        state, lines = "failed", [f"The import failed: {exc.detail}"]
    except Exception:
        log.exception("import job %s failed", job.id)
        state, lines = "failed", ["The import failed: an internal error (see the server log)"]
    finally:
        ticker.cancel()
        shutil.rmtree(work_dir, ignore_errors=True)
    async with store_engine.write(ctx.engine) as conn:
        await job_store.finish_job(conn, job.id, state, records, lines, ctx.clock())


async def job_of(ctx: Context, actor: Actor, job_id: str) -> ImportJob:
    scope = await import_scope(ctx, actor)
    async with store_engine.read(ctx.engine) as conn:
        job = await job_store.select_job(conn, job_id)
    if job is None or (scope is not None and job.site_id not in scope):
        raise ImportJobNotFound()
    return _seen(ctx, job)


async def list_jobs(ctx: Context, actor: Actor) -> list[ImportJob]:
    scope = await import_scope(ctx, actor)
    async with store_engine.read(ctx.engine) as conn:
        return [_seen(ctx, j) for j in await job_store.select_jobs(conn, scope)]


def _seen(ctx: Context, job: ImportJob) -> ImportJob:
    """A running job that has written nothing for STALE_US lost its worker (a restart): interrupted."""
    if job.state == "running" and ctx.clock() - job.updated > STALE_US:
        return msgspec.structs.replace(job, state="interrupted")
    return job
