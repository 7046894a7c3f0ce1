"""/admin/imports over HTTP: an admin uploads an export (format recognised or chosen, URL mappings, dry run),
the import runs in the background and its page shows the summary; the upload's temporary directory is gone
afterwards; forged forms, moderators, wrong formats, oversized and malformed uploads are precise 4xx pages."""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from rejoinder.moderation.rules import Role
from rejoinder.services import import_jobs
from rejoinder.store.schema import comments
from rejoinder.store.schema import import_jobs as jobs_table
from tests.fixtures.admin import HTML, Admin, open_admin
from tests.fixtures.app import ORIGIN
from tests.importers.files import FILES
from tests.test_cli_import import execute, rows, thread

THEME = FILES / "wxr" / "theme-unit-test-data.xml"
WP = "https://wpthemetestdata.wordpress.com"
SUMMARY = re.compile(r'<pre class="rj-import-summary">(.*?)</pre>', re.S)


def leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("rejoinder-import-*")}


def upload(
    admin: Admin, data: dict[str, Any], name: str, content: bytes, *, headers: dict[str, str] = HTML
) -> httpx.Response:
    body = {"csrf": admin.csrf("/admin/imports"), **data}
    return admin.client.post(
        "/admin/imports",
        data=body,
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
        follow_redirects=False,
    )


def settle(admin: Admin) -> None:
    """Wait for the background imports this app started (the tasks themselves, no polling)."""
    tasks = set(admin.app.litestar.state["import_tasks"])

    async def go() -> None:
        await asyncio.gather(*tasks)

    admin.run(go)


def summary_of(page: str) -> list[str]:
    [found] = SUMMARY.findall(page)
    return html.unescape(found).splitlines()


def test_an_admin_imports_a_wordpress_export(admin_db: str) -> None:
    before = leftovers()
    admin = open_admin(admin_db)
    with admin.client:
        admin.login()
        empty = admin.page("/admin/imports")
        assert "No imports yet." in empty.text and 'enctype="multipart/form-data"' in empty.text
        started = upload(
            admin,
            {"site": "blog", "format": "", "map_url": f"{WP}={ORIGIN}\n"},
            "export.xml",
            THEME.read_bytes(),
        )
        assert started.status_code == 303, started.text[:500]
        location = started.headers["location"]
        assert re.fullmatch(r"/admin/imports/[\w-]{16}", location)
        settle(admin)
        done = admin.page(location)
        assert '<dd class="rj-import-state">done</dd>' in done.text
        assert 'http-equiv="refresh"' not in done.text
        lines = summary_of(done.text)
        assert lines[:4] == [
            "WordPress WXR export export.xml → site blog",
            "Threads: 7 (7 new)",
            "Comments: 29 new (approved 26, pending 3), 0 updated, 0 unchanged",
            "Skipped: 4 (pingback 2, trackback 2)",
        ]
        assert f"  {WP}={ORIGIN}: 29 comment(s)" in lines
        listing = admin.page("/admin/imports")
        assert f'href="{location}">export.xml</a>' in listing.text
    assert thread(admin_db, f"{ORIGIN}/2012/01/03/template-comments/")["thread"]["count"] == 19
    assert leftovers() <= before  # the upload was removed


def test_a_dry_run_writes_no_comment(admin_db: str) -> None:
    admin = open_admin(admin_db)
    with admin.client:
        admin.login()
        started = upload(
            admin, {"site": "blog", "format": "wxr", "dry_run": "on"}, "t.xml", THEME.read_bytes()
        )
        assert started.status_code == 303
        settle(admin)
        lines = summary_of(admin.page(started.headers["location"]).text)
        assert lines[0] == "Dry run: nothing was written. This is what an import would do:"
        assert lines[3] == "Comments: 29 new (approved 26, pending 3), 0 updated, 0 unchanged"
    assert rows(admin_db, sa.select(sa.func.count()).select_from(comments)) == [(0,)]


def test_a_file_that_stops_making_sense_is_reported(admin_db: str) -> None:
    admin = open_admin(admin_db)
    with admin.client:
        admin.login()
        started = upload(
            admin,
            {"site": "blog", "format": "disqus"},
            "broken.xml",
            (FILES / "disqus" / "laisky-blog-export.xml").read_bytes()[:3000],
        )
        settle(admin)
        page = admin.page(started.headers["location"]).text
        assert '<dd class="rj-import-state">stopped</dd>' in page
        assert any(line.startswith("Stopped at line ") for line in summary_of(page))


def test_refusals(admin_db: str) -> None:
    before = leftovers()
    admin = open_admin(admin_db, admin={"import_max_bytes": 4096})
    with admin.client:
        admin.login()
        small = (
            b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel></channel></rss>'
        )
        forged = admin.client.post(
            "/admin/imports",
            data={"csrf": "forged", "site": "blog"},
            files={"file": ("a.xml", small)},
            headers=HTML,
        )
        assert forged.status_code == 403
        elsewhere = upload(
            admin, {"site": "blog"}, "a.xml", small, headers={**HTML, "Origin": "https://evil.example"}
        )
        assert elsewhere.status_code == 403
        taken = upload(admin, {"site": "blog"}, "a.xml", small)
        assert taken.status_code == 303  # the same form from this server is taken
        settle(admin)
        cases = [
            (
                upload(admin, {"site": "blog", "format": "disqus"}, "a.xml", small),
                422,
                "The file is not in the Disqus XML format",
            ),
            (
                upload(admin, {"site": "blog", "format": "mt"}, "a.xml", small),
                422,
                "Choose one of commento, disqus, isso, jsonl, remark42, wxr",
            ),
            (upload(admin, {"site": "blog"}, "a.txt", b"hello"), 422, "The file's format was not recognised"),
            (
                upload(admin, {"site": "blog", "map_url": "no-equals"}, "a.xml", small),
                422,
                "is not OLD_PREFIX=NEW_PREFIX",
            ),
            (upload(admin, {"site": "nosuch"}, "a.xml", small), 404, "nosuch"),
            (upload(admin, {"site": "blog"}, "big.xml", small + b" " * 5000), 413, "admin.import_max_bytes"),
        ]
        for answer, status, message in cases:
            assert (answer.status_code, message in html.unescape(answer.text)) == (status, True), answer.text[
                :300
            ]
        not_multipart = admin.submit("/admin/imports", {"site": "blog"})
        assert not_multipart.status_code == 415
        unknown = admin.client.get("/admin/imports/nosuchjob", headers=HTML)
        assert unknown.status_code == 404
        admin.moderator("blog", Role.MODERATOR)
        refused = admin.client.get("/admin/imports", headers=HTML)
        assert (
            refused.status_code == 403 and "Only a site&#39;s admins import comments into it" in refused.text
        )
    assert rows(admin_db, sa.select(sa.func.count()).select_from(jobs_table)) == [(1,)]
    assert leftovers() <= before


def test_a_running_job_reloads_and_a_silent_one_is_interrupted(admin_db: str) -> None:
    admin = open_admin(admin_db)
    with admin.client:
        admin.login()

        async def make() -> str:
            site = await admin.ctx.sites.by_name("blog")
            assert site is not None
            importer = import_jobs.choose_importer("wxr", THEME.read_bytes()[:16384])
            job = await import_jobs.create_job(admin.ctx, importer, site.id, "slow.xml", 10, False, "root")
            return job.id

        job_id = admin.run(make)
        running = admin.page(f"/admin/imports/{job_id}").text
        assert '<meta http-equiv="refresh" content="2">' in running
        assert '<dd class="rj-import-state">running</dd>' in running
    # Its worker stopped: nothing was written for longer than STALE_US.
    execute(admin_db, "UPDATE import_jobs SET updated = updated - 200000000")  # the one job
    later = open_admin(admin_db)
    with later.client:
        later.login()
        page = later.page(f"/admin/imports/{job_id}").text
        assert '<dd class="rj-import-state">interrupted</dd>' in page and 'http-equiv="refresh"' not in page
