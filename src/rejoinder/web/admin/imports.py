"""/admin/imports: a site's admins upload an export file (multipart, streamed to a temporary directory with
the size limit checked as it arrives), the import runs in the background, and its page shows the progress and
then the summary. HTTP only: the rules are in services/import_jobs.py and services/imports.py."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

import multipart
from litestar import Request, Response, get, post
from litestar.params import FromPath

from rejoinder.errors import BadRequest, PayloadTooLarge, SiteNotFound, UnsupportedMediaType
from rejoinder.importers import REGISTRY
from rejoinder.services import admin_auth
from rejoinder.services import import_jobs as service
from rejoinder.services.imports import UrlMapping
from rejoinder.web.admin import auth
from rejoinder.web.admin.forms import Form
from rejoinder.web.admin.render import page, redirect
from rejoinder.web.admin.routes import frame
from rejoinder.web.wire import ctx_of

FIELD_LIMIT = 20_000  # bytes of a text field (the URL mappings are the longest)
UPLOAD = "file"


def _formats() -> list[tuple[str, str]]:
    return sorted((name, importer.label) for name, importer in REGISTRY.items())


@get("/imports", include_in_schema=False)
async def imports_view(request: Request[Any, Any, Any]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    scope = await service.import_scope(ctx, staff.actor)
    jobs = await service.list_jobs(ctx, staff.actor)
    values = await frame(request, staff, "imports")
    admin_sites = [s for s in values["sites"] if scope is None or s.id in scope]
    return page(
        "imports.html",
        **values,
        jobs=jobs,
        admin_sites=admin_sites,
        formats=_formats(),
        limit=ctx.settings.admin.import_max_bytes,
    )


class _Upload:
    """What the multipart body held: its text fields, and the file written to `path` as it arrived."""

    def __init__(self, work: Path) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.path = work / "upload"
        self.file_name = ""
        self.size = 0


async def _receive(request: Request[Any, Any, Any], work: Path, limit: int) -> _Upload:
    media, options = multipart.parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary", "")
    if media != "multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Send the upload as multipart/form-data, as the form does")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise PayloadTooLarge(
            f"The file is larger than this server takes ({limit} bytes: admin.import_max_bytes)"
        )
    got = _Upload(work)
    segment: multipart.MultipartSegment | None = None
    text = bytearray()
    files = 0
    try:
        with (
            multipart.PushMultipartParser(boundary, max_segment_count=30, strict=True) as parser,
            got.path.open("wb") as out,
        ):
            async for chunk in request.stream():
                for event in parser.parse(chunk):
                    if isinstance(event, multipart.MultipartSegment):
                        segment, text = event, bytearray()
                        if segment.filename is not None:
                            files += 1
                            if segment.name != UPLOAD or files > 1:
                                raise BadRequest("Send one file, in the field named file")
                            got.file_name = segment.filename
                    elif event is None:
                        if segment is not None and segment.filename is None:
                            try:
                                got.pairs.append((segment.name, text.decode("utf-8")))
                            except UnicodeDecodeError:
                                raise BadRequest("The form is not valid UTF-8") from None
                        segment = None
                    elif segment is not None and segment.filename is not None:
                        got.size += len(event)
                        if got.size > limit:
                            raise PayloadTooLarge(
                                f"The file is larger than this server takes ({limit} bytes: admin.import_max_bytes)"
                            )
                        out.write(event)
                    else:
                        text += event
                        if len(text) > FIELD_LIMIT:
                            raise BadRequest("A form field is too long")
    except multipart.MultipartError as exc:
        raise BadRequest(f"The upload could not be read: {exc}") from None
    if not files:
        raise BadRequest("Choose a file to import")
    return got


@post("/imports", include_in_schema=False, status_code=303, request_max_body_size=None)
async def import_upload(request: Request[Any, Any, Any]) -> Response[str]:
    """Takes the upload, starts the import in the background and sends the browser to its page."""
    staff = await auth.require_staff(request)
    auth.check_origin(request)
    ctx = ctx_of(request)
    work = Path(tempfile.mkdtemp(prefix="rejoinder-import-"))
    try:
        got = await _receive(request, work, ctx.settings.admin.import_max_bytes)
        form = Form(got.pairs)
        admin_auth.check_form_token(
            ctx.verify_keys, "session", staff.session_hash, form.get("csrf", limit=200)
        )
        scope = await service.import_scope(ctx, staff.actor)
        site = await ctx.sites.by_name(form.get("site", limit=100))
        if site is None or (scope is not None and site.id not in scope):
            raise SiteNotFound.named(form.get("site", limit=100))
        with got.path.open("rb") as stream:
            head = stream.read(service.HEAD)
        importer = service.choose_importer(form.get("format", limit=20).strip(), head)
        mappings = [UrlMapping(old, new) for old, new in service.url_mappings(form.lines("map_url"))]
        job = await service.create_job(
            ctx,
            importer,
            site.id,
            Path(got.file_name).name or "upload",
            got.size,
            form.flag("dry_run"),
            staff.name,
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    tasks: set[asyncio.Task[None]] = request.app.state["import_tasks"]  # app.py cancels them at shutdown
    task = asyncio.create_task(service.run_job(ctx, job, work, got.path, mappings))
    tasks.add(task)  # held until done: the loop keeps only weak references to tasks
    task.add_done_callback(tasks.discard)
    return redirect(f"/admin/imports/{job.id}")


@get("/imports/{job_id:str}", include_in_schema=False)
async def import_view(request: Request[Any, Any, Any], job_id: FromPath[str]) -> Response[str]:
    staff = await auth.require_staff(request)
    ctx = ctx_of(request)
    job = await service.job_of(ctx, staff.actor, job_id[:40])
    values = await frame(request, staff, "imports")
    site = await ctx.sites.by_id(job.site_id)
    label = REGISTRY[job.format].label if job.format in REGISTRY else job.format
    return page("import.html", **values, job=job, site=site, label=label)


HANDLERS: list[Any] = [imports_view, import_upload, import_view]
