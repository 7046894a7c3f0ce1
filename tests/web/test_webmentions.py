"""POST /webmention refusals over HTTP: every malformed request is a precise 4xx problem+json and stores
nothing (no mention row, no outbox event); blocked domains (server-wide and a site's), the per-domain rate
limit, a switched-off endpoint."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.domain.sites import SiteModeration, SiteOptions
from rejoinder.services import sites as site_service
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import events, webmentions
from tests.fixtures.admin import Admin, settings_for
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

SOURCE = "https://other.example/reply"


def open_app(db_url: str, **sections: Any) -> Admin:
    settings = settings_for(db_url, **sections)
    app = create_app(settings)
    return Admin(client=TestClient(app=app, base_url="http://rejoinder.test"), app=app)


def stored(admin: Admin) -> tuple[int, int]:
    """(webmention rows, webmention events)."""

    async def go() -> tuple[int, int]:
        async with store_engine.read(admin.ctx.engine) as conn:
            rows = (await conn.execute(sa.select(sa.func.count()).select_from(webmentions))).scalar_one()
            evs = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(events)
                    .where(events.c.kind == "webmention.received")
                )
            ).scalar_one()
            return int(rows), int(evs)

    result: tuple[int, int] = admin.run(go)
    return result


def problem(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status and body["instance"] == "/webmention"
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field], body


MALFORMED: list[tuple[dict[str, str], str, str]] = [
    ({"target": ARTICLE}, "source-missing", "source"),
    ({"source": "  ", "target": ARTICLE}, "source-missing", "source"),
    ({"source": SOURCE}, "target-missing", "target"),
    ({"source": "ftp://other.example/x", "target": ARTICLE}, "source-invalid", "source"),
    ({"source": "javascript:alert(1)", "target": ARTICLE}, "source-invalid", "source"),
    ({"source": "https://other.example:99999/", "target": ARTICLE}, "source-invalid", "source"),
    ({"source": "https://" + "a" * 2100 + ".example/", "target": ARTICLE}, "source-invalid", "source"),
    ({"source": SOURCE, "target": "mailto:ann@blog.example"}, "target-invalid", "target"),
    ({"source": SOURCE, "target": "/2026/11/a-post"}, "target-invalid", "target"),
    ({"source": ARTICLE + "#c", "target": ARTICLE}, "same-url", "source"),
    ({"source": SOURCE, "target": "https://nobody.example/post"}, "target-unknown", "target"),
    ({"source": "http://127.0.0.1:8080/x", "target": ARTICLE}, "source-not-public", "source"),
    ({"source": "http://[::1]/x", "target": ARTICLE}, "source-not-public", "source"),
    ({"source": "http://169.254.169.254/latest", "target": ARTICLE}, "source-not-public", "source"),
    ({"source": "http://localhost/x", "target": ARTICLE}, "source-not-public", "source"),
]


def test_malformed_requests_are_400_and_store_nothing(site_db: str) -> None:
    admin = open_app(site_db)
    with admin.client:
        for form, code, field in MALFORMED:
            problem(admin.client.post("/webmention", data=form), 400, code, field)
        assert stored(admin) == (0, 0)


def test_the_body_must_be_a_small_form(site_db: str) -> None:
    admin = open_app(site_db)
    with admin.client:
        as_json = admin.client.post("/webmention", json={"source": SOURCE, "target": ARTICLE})
        problem(as_json, 415, "form-required")
        huge = admin.client.post("/webmention", data={"source": SOURCE, "target": ARTICLE, "x": "y" * 20000})
        problem(huge, 413, "body-too-large")
        bad = admin.client.post(
            "/webmention",
            content=b"source=%ff%fe&target=x",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        problem(bad, 400, "webmention-invalid")
        assert stored(admin) == (0, 0)
        accepted = admin.client.post("/webmention", data={"source": SOURCE, "target": ARTICLE})
        assert accepted.status_code == 202 and stored(admin) == (1, 1)
        again = admin.client.post("/webmention", data={"source": SOURCE, "target": ARTICLE})
        assert again.status_code == 202 and stored(admin) == (1, 2)  # one row, verified again


def test_blocked_domains_are_refused(site_db: str) -> None:
    admin = open_app(site_db, webmention={"blocked_domains": ["spam.example"]})
    with admin.client:

        async def block_on_site() -> None:
            site = await admin.ctx.sites.by_name("blog")
            assert site is not None
            options = SiteOptions(moderation=SiteModeration(blocked_domains=("junk.example",)))
            await site_service.update_site(
                admin.ctx.engine, "blog", add_origins=[], remove_origins=[], options=options
            )
            await admin.ctx.sites.load()  # as the SITE_CHANGED event does in a running server

        admin.run(block_on_site)
        for source in ("https://spam.example/a", "https://www.spam.example/b", "https://junk.example/c"):
            response = admin.client.post("/webmention", data={"source": source, "target": ARTICLE})
            problem(response, 403, "source-blocked")
        assert stored(admin) == (0, 0)
        ok = admin.client.post("/webmention", data={"source": "https://notspam.example/a", "target": ARTICLE})
        assert ok.status_code == 202


def test_the_rate_limit_is_per_source_domain(site_db: str) -> None:
    admin = open_app(site_db, moderation={"rate_limits": True, "webmention_limit_domain": "2/minute"})
    with admin.client:
        for n in range(2):
            answer = admin.client.post(
                "/webmention", data={"source": f"https://a.example/{n}", "target": ARTICLE}
            )
            assert answer.status_code == 202
        third = admin.client.post("/webmention", data={"source": "https://a.example/3", "target": ARTICLE})
        problem(third, 429, "rate-limited")
        assert int(third.headers["retry-after"]) >= 1
        other = admin.client.post("/webmention", data={"source": "https://b.example/1", "target": ARTICLE})
        assert other.status_code == 202
        assert stored(admin) == (3, 3)


def test_the_endpoint_can_be_switched_off(site_db: str) -> None:
    admin = open_app(site_db, webmention={"receive": False})
    with admin.client:
        response = admin.client.post("/webmention", data={"source": SOURCE, "target": ARTICLE})
        problem(response, 403, "webmentions-disabled")
        page = admin.client.get("/thread", params={"url": ARTICLE}, headers={"Accept": "text/html"})
        assert 'rel="webmention"' not in page.text
        assert stored(admin) == (0, 0)


def test_a_second_site_receives_for_its_own_articles(site_db: str) -> None:
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    admin = open_app(site_db)
    with admin.client:
        answer = admin.client.post(
            "/webmention", data={"source": SOURCE, "target": "https://news.example/story?utm_source=x"}
        )
        assert answer.status_code == 202

        async def site_of() -> tuple[int, str]:
            async with store_engine.read(admin.ctx.engine) as conn:
                row = (await conn.execute(sa.select(webmentions.c.site_id, webmentions.c.target))).one()
                return int(row.site_id), str(row.target)

        site_id, target = admin.run(site_of)
        news = admin.run(lambda: admin.ctx.sites.by_name("news"))
        assert site_id == news.id and target == "https://news.example/story"  # stored normalised
    assert ORIGIN != "https://news.example"
