"""/admin/people: an admin of every site finds a person by email or identity id, downloads their data and
deletes it for them; both are written to the moderation log; an admin of one site may not."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rejoinder.moderation.rules import Role
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import comments, email_addresses, identities, moderation_log, subscriptions
from tests.fixtures.admin import HTML, Admin
from tests.fixtures.app import ARTICLE
from tests.fixtures.follow import follow


def rows(admin: Admin, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    async def go() -> list[tuple[Any, ...]]:
        async with store_engine.read(admin.ctx.engine) as conn:
            return [tuple(r) for r in (await conn.execute(query)).all()]

    found: list[tuple[Any, ...]] = admin.run(go)
    return found


def log(admin: Admin, action: str) -> list[tuple[Any, ...]]:
    m = moderation_log.c
    return rows(admin, sa.select(m.actor, m.target_kind, m.data).where(m.action == action).order_by(m.id))


def test_an_admin_downloads_and_deletes_a_guests_comments(admin: Admin) -> None:
    made = admin.post_comment("Mine, from ann", author={"email": "ann@example.org"})
    other = admin.post_comment("Someone else's", name="Bo", author={"email": "bo@example.org"})
    assert admin.login().status_code == 303
    page = admin.page("/admin/people", q="Ann@example.org").text
    assert "Guest comments written with ann@example.org" in page
    assert "1 comment(s)" in page
    assert "bo@example.org" not in page

    download = admin.submit("/admin/people/download", {"email": "ann@example.org"}, csrf_from="/admin/people")
    assert download.status_code == 200, download.text
    data = download.json()
    assert data["subject"] == {"email": "ann@example.org"}
    assert [(c["id"], c["text"]) for c in data["comments"]] == [(made["id"], "Mine, from ann")]
    assert log(admin, "export-data") == [("admin:root", "email", {"comments": 1})]

    erased = admin.submit(
        "/admin/people/erase", {"email": "ann@example.org", "comments": "remove"}, csrf_from="/admin/people"
    )
    assert erased.status_code == 303
    assert erased.headers["location"] == "/admin/people?done=erase"
    assert rows(
        admin, sa.select(comments.c.id, comments.c.status, comments.c.text).order_by(comments.c.created)
    ) == [
        (made["id"], "deleted", ""),
        (other["id"], "published", "Someone else's"),
    ]
    [(actor, kind, details)] = log(admin, "erase")
    assert (actor, kind, details["comments"], details["count"], details["likes"]) == (
        "admin:root",
        "email",
        "remove",
        1,
        0,
    )
    assert "Nothing is stored about" in admin.page("/admin/people", q="ann@example.org").text


def test_an_admin_deletes_an_account_found_by_its_email(admin: Admin) -> None:
    reader = admin.identity("reader-sub", name="Reader", email="reader@example.org")
    assert admin.login().status_code == 303
    page = admin.page("/admin/people", q="reader@example.org").text
    assert "Account Reader" in page and reader in page
    assert admin.page("/admin/people", q=reader).text.count("Account Reader") == 1
    erased = admin.submit(
        "/admin/people/erase", {"identity": reader, "comments": "anonymise"}, csrf_from="/admin/people"
    )
    assert erased.status_code == 303
    assert rows(admin, sa.select(identities.c.id).where(identities.c.id == reader)) == []
    assert [(a, k) for a, k, _ in log(admin, "erase")] == [("admin:root", "identity")]
    again = admin.submit(
        "/admin/people/erase", {"identity": reader, "comments": "remove"}, csrf_from="/admin/people"
    )
    assert again.status_code == 404


def test_only_an_admin_of_every_site_may(admin: Admin) -> None:
    admin.post_comment("Mine", author={"email": "ann@example.org"})
    admin.moderator("blog", role=Role.ADMIN)
    assert admin.client.get("/admin/people", params={"q": "ann@example.org"}, headers=HTML).status_code == 403
    refused = admin.submit("/admin/people/erase", {"email": "ann@example.org", "comments": "remove"})
    assert refused.status_code == 403
    assert rows(admin, sa.select(comments.c.status)) == [("published",)]


def test_a_bad_request_is_refused(admin: Admin) -> None:
    made = admin.post_comment("Mine", author={"email": "a@example.org"})
    assert admin.login().status_code == 303
    for data in ({"comments": "remove"}, {"email": "a@example.org", "identity": "x", "comments": "remove"}):
        refused = admin.submit("/admin/people/erase", data)
        assert refused.status_code == 422
        assert "<code>person-required</code>" in refused.text
    refused = admin.submit("/admin/people/erase", {"email": "a@example.org", "comments": "all"})
    assert refused.status_code == 422
    assert "<code>action-invalid</code>" in refused.text
    assert rows(admin, sa.select(comments.c.id, comments.c.status)) == [(made["id"], "published")]
    assert log(admin, "erase") == []


def test_an_admin_download_and_erasure_cover_the_persons_subscriptions(admin: Admin) -> None:
    reader = admin.identity("reader-sub", name="Reader", email="reader@example.org")
    admin.post_comment("Someone's comment", name="Bo", author={"email": "bo@example.org"})

    async def subscribe() -> None:
        async with store_engine.write(admin.ctx.engine) as conn:
            for name in ("blog", "news"):
                site = await admin.ctx.sites.by_name(name)
                assert site is not None
                await follow(
                    conn, site.id, "reader@example.org", thread_uri=ARTICLE if name == "blog" else None
                )
            blog = await admin.ctx.sites.by_name("blog")
            assert blog is not None
            await follow(conn, blog.id, "bo@example.org", thread_uri=ARTICLE)

    admin.run(subscribe)
    assert admin.login().status_code == 303
    download = admin.submit("/admin/people/download", {"identity": reader}, csrf_from="/admin/people")
    assert download.status_code == 200, download.text
    data = download.json()
    assert [(a["site"], a["email"]) for a in data["email_addresses"]] == [
        ("blog", "reader@example.org"),
        ("news", "reader@example.org"),
    ]
    assert [(x["site"], x["kind"], x["thread_url"]) for x in data["subscriptions"]] == [
        ("blog", "thread", ARTICLE),
        ("news", "site", None),
    ]
    erased = admin.submit(
        "/admin/people/erase", {"identity": reader, "comments": "remove"}, csrf_from="/admin/people"
    )
    assert erased.status_code == 303
    left = sa.select(email_addresses.c.email, subscriptions.c.kind).select_from(
        subscriptions.join(email_addresses)
    )
    assert rows(admin, left) == [("bo@example.org", "thread")]
