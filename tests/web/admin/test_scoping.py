"""Roles are per site: a moderator of `blog` sees and acts on `blog` only, an admin of `blog` manages
`blog` only, and only an admin of every site adds sites or bans everywhere."""

from __future__ import annotations

import re

from rejoinder.moderation.rules import Role
from tests.fixtures.admin import HTML, NEWS_ARTICLE, Admin


def test_a_moderator_sees_only_their_site(admin: Admin) -> None:
    blog = admin.post_comment("On the blog")
    news = admin.post_comment("In the news", url=NEWS_ARTICLE)
    admin.moderator("blog")
    page = admin.page("/admin/queue/unmoderated").text
    assert blog["id"] in page and news["id"] not in page
    assert (
        admin.client.get("/admin/queue/unmoderated", params={"site": "news"}, headers=HTML).status_code == 403
    )
    assert admin.client.get(f"/admin/comments/{news['id']}", headers=HTML).status_code == 403
    assert admin.client.get("/admin/bans", params={"comment": news["id"]}, headers=HTML).status_code == 403
    sites = admin.page("/admin/sites").text
    assert ">blog<" in sites and "news" not in sites


def test_a_moderator_cannot_act_on_another_site(admin: Admin) -> None:
    blog = admin.post_comment("On the blog")
    news = admin.post_comment("In the news", url=NEWS_ARTICLE)
    admin.moderator("blog")
    for action in ("approve", "spam", "pin", "feature", "delete"):
        r = admin.submit(f"/admin/comments/{news['id']}", {"action": action})
        assert r.status_code == 403, action
    r = admin.submit(f"/admin/comments/{news['id']}/reply", {"text": "Sneaky"})
    assert r.status_code == 403
    r = admin.client.post(
        "/admin/bulk",
        data={"csrf": admin.csrf(), "action": "spam", "ids": [blog["id"], news["id"]], "back": "/admin"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303 and "n=1" not in r.headers["location"] and "failed=1" in r.headers["location"]
    assert admin.status_of(blog["id"]) == "spam"
    assert admin.status_of(news["id"]) == "published"
    assert [e["target_id"] for e in admin.log() if e["actor"] != "cli"] == [blog["id"]]


def test_threads_bans_and_roles_are_per_site(admin: Admin) -> None:
    admin.post_comment("In the news", url=NEWS_ARTICLE)
    admin.login()
    news_thread = re.search(r'action="/admin/threads/(\d+)"', admin.page("/admin/threads", site="news").text)
    assert news_thread
    admin.client.cookies.clear()
    admin.moderator("blog")
    assert "/admin/threads/" not in admin.page("/admin/threads").text
    assert admin.submit(f"/admin/threads/{news_thread.group(1)}", {"action": "close"}).status_code == 403
    assert admin.submit("/admin/bans", {"site": "news", "ip": "203.0.113.9"}).status_code == 403
    assert admin.submit("/admin/bans", {"site": "", "ip": "203.0.113.9"}).status_code == 403  # everywhere
    someone = admin.identity("someone")
    r = admin.submit("/admin/users", {"action": "grant", "who": someone, "role": "trusted", "site": "news"})
    assert r.status_code == 403
    assert (
        admin.client.get("/admin/sites/blog", headers=HTML).status_code == 403
    )  # moderators do not manage sites
    assert [e for e in admin.log() if e["actor"] != "cli"] == []


def test_a_site_admin_manages_their_site_only(admin: Admin) -> None:
    admin.moderator("blog", Role.ADMIN)
    assert admin.page("/admin/sites/blog").status_code == 200
    assert admin.client.get("/admin/sites/news", headers=HTML).status_code == 403
    origins = admin.submit("/admin/sites/news", {"part": "origins", "add": "https://x.example"})
    assert origins.status_code == 403 and "not-an-admin" in origins.text
    added = admin.submit("/admin/sites", {"name": "fourth", "origins": "https://four.example"})
    assert added.status_code == 403 and "not-an-admin" in added.text
    news = admin.run(lambda: admin.ctx.sites.by_name("news"))
    assert news is not None and "https://x.example" not in news.origins
    assert admin.run(lambda: admin.ctx.sites.by_name("fourth")) is None
    someone = admin.identity("someone")
    ok = admin.submit(
        "/admin/users", {"action": "grant", "who": someone, "role": "moderator", "site": "blog"}
    )
    assert ok.status_code == 303
    no = admin.submit(
        "/admin/users", {"action": "grant", "who": someone, "role": "moderator", "site": "news"}
    )
    assert no.status_code == 403
    everywhere = admin.submit(
        "/admin/users", {"action": "grant", "who": someone, "role": "moderator", "site": ""}
    )
    assert everywhere.status_code == 403


def test_the_log_shows_only_ones_own_sites(admin: Admin) -> None:
    admin.login()
    news = admin.post_comment("In the news", url=NEWS_ARTICLE)
    blog = admin.post_comment("On the blog")
    admin.submit(f"/admin/comments/{news['id']}", {"action": "spam"})
    admin.submit(f"/admin/comments/{blog['id']}", {"action": "spam"})
    admin.client.cookies.clear()
    admin.moderator("blog")
    page = admin.page("/admin/log").text
    assert blog["id"] in page and news["id"] not in page
    assert admin.client.get("/admin/log", params={"site": "news"}, headers=HTML).status_code == 403


def test_a_moderator_of_every_site(admin: Admin) -> None:
    news = admin.post_comment("In the news", url=NEWS_ARTICLE)
    admin.moderator(None)
    assert news["id"] in admin.page("/admin/queue/unmoderated", site="news").text
    assert admin.submit(f"/admin/comments/{news['id']}", {"action": "approve"}).status_code == 303
    assert admin.status_of(news["id"]) == "approved"
