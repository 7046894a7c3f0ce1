"""What moderators do in /admin changes statuses, writes the moderation log and reaches readers at once
(the thread's cached responses are invalidated): decisions, bulk decisions, marks, trust, threads, bans,
staff replies, sites and roles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rejoinder import config
from rejoinder.moderation.rules import Role
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import comments, roles
from tests.fixtures.admin import HTML, NEWS_ARTICLE, Admin, open_admin
from tests.fixtures.app import ARTICLE, ORIGIN


def public_ids(admin: Admin, url: str = ARTICLE) -> list[str]:
    response = admin.client.get("/api/threads", params={"url": url})
    assert response.status_code == 200, response.text

    def walk(items: list[dict[str, Any]]) -> list[str]:
        out = []
        for item in items:
            out.append(item["id"])
            out += walk(item.get("replies", []))
        return out

    return walk(response.json()["comments"])


def row(admin: Admin, comment_id: str) -> Any:
    async def go() -> Any:
        async with store_engine.read(admin.ctx.engine) as conn:
            return (await conn.execute(sa.select(comments).where(comments.c.id == comment_id))).first()

    return admin.run(go)


def test_approve_reject_and_spam(admin: Admin) -> None:
    admin.login()
    first, second, third = (admin.post_comment(f"Comment {i}") for i in range(3))
    assert set(public_ids(admin)) == {first["id"], second["id"], third["id"]}  # now cached
    r = admin.submit(
        f"/admin/comments/{first['id']}", {"action": "approve", "back": "/admin/queue/unmoderated"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/queue/unmoderated?done=approve")
    admin.submit(
        f"/admin/comments/{second['id']}", {"action": "reject", "reason": "off-topic", "note": "Not here"}
    )
    admin.submit(f"/admin/comments/{third['id']}", {"action": "spam"})
    assert [admin.status_of(c["id"]) for c in (first, second, third)] == ["approved", "rejected", "spam"]
    assert public_ids(admin) == [first["id"]]  # the cached thread was invalidated
    entries = {e["target_id"]: e for e in admin.log()}
    assert entries[first["id"]]["action"] == "approve" and entries[first["id"]]["actor"] == "admin:root"
    assert entries[second["id"]]["action"] == "reject"
    assert entries[second["id"]]["reason_code"] == "off-topic" and entries[second["id"]]["note"] == "Not here"
    assert entries[third["id"]]["action"] == "spam"
    assert row(admin, second["id"]).moderated_by == "admin:root"
    # The queues follow.
    assert first["id"] in admin.page("/admin/queue/approved").text
    rejected = admin.page("/admin/queue/rejected").text
    assert second["id"] in rejected and third["id"] in rejected
    assert first["id"] not in admin.page("/admin/queue/unmoderated").text


def test_a_rejection_needs_a_known_reason(admin: Admin) -> None:
    admin.login()
    comment = admin.post_comment("Maybe")
    r = admin.submit(f"/admin/comments/{comment['id']}", {"action": "reject", "reason": "because"})
    assert r.status_code == 422 and "reason-invalid" in r.text
    r = admin.submit(f"/admin/comments/{comment['id']}", {"action": "obliterate"})
    assert r.status_code == 422
    assert admin.status_of(comment["id"]) == "published"
    assert admin.log() == []


def test_bulk_actions(admin: Admin) -> None:
    admin.login()
    ids = [admin.post_comment(f"Bulk {i}")["id"] for i in range(4)]
    r = admin.client.post(
        "/admin/bulk",
        data={
            "csrf": admin.csrf(),
            "action": "reject",
            "reason": "spam",
            "ids": ids[:3],
            "back": "/admin/queue/unmoderated",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "done=reject&n=3" in r.headers["location"]
    assert [admin.status_of(i) for i in ids] == ["rejected"] * 3 + ["published"]
    assert sorted(e["target_id"] for e in admin.log() if e["action"] == "reject") == sorted(ids[:3])
    page = admin.client.get(r.headers["location"], headers=HTML)
    assert "Rejected: 3 comments." in page.text
    assert public_ids(admin) == [ids[3]]
    # Nothing checked, or an unknown action, changes nothing.
    assert admin.submit("/admin/bulk", {"action": "approve"}).status_code == 422
    assert admin.submit("/admin/bulk", {"action": "pin", "ids": ids[3]}).status_code == 422
    assert admin.status_of(ids[3]) == "published"


def test_pin_feature_and_trust(admin: Admin) -> None:
    admin.login()
    reader = admin.identity("reader-1", name="Rita")
    token = admin.run(lambda: _reader_token(admin, "reader-1"))
    signed = admin.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Signed in", "author": {"name": "x"}},
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
    ).json()
    guest = admin.post_comment("Guest")
    for action in ("pin", "feature"):
        assert admin.submit(f"/admin/comments/{signed['id']}", {"action": action}).status_code == 303
    stored = row(admin, signed["id"])
    assert stored.pinned and stored.featured
    admin.submit(f"/admin/comments/{signed['id']}", {"action": "unpin"})
    assert not row(admin, signed["id"]).pinned
    assert admin.submit(f"/admin/comments/{signed['id']}", {"action": "trust"}).status_code == 303
    assert ("trusted", reader) in _roles(admin)
    assert "trusted" in admin.page(f"/admin/comments/{signed['id']}").text
    r = admin.submit(f"/admin/comments/{guest['id']}", {"action": "trust"})
    assert r.status_code == 422 and "trust-needs-identity" in r.text
    actions = [e["action"] for e in admin.log()]
    assert actions.count("pin") == 1 and "feature" in actions and "unpin" in actions and "grant" in actions


async def _reader_token(admin: Admin, subject: str) -> str:
    from rejoinder.domain.identity import Profile
    from rejoinder.services import accounts

    outcome = await accounts.sign_in_with_profile(
        admin.ctx, Profile(provider="test", subject=subject, name="Rita"), label="Test"
    )
    assert outcome.token is not None
    return outcome.token


def _roles(admin: Admin) -> list[tuple[str, str]]:
    async def go() -> list[tuple[str, str]]:
        async with store_engine.read(admin.ctx.engine) as conn:
            return [(r.role, r.identity_id) for r in await conn.execute(sa.select(roles))]

    result: list[tuple[str, str]] = admin.run(go)
    return result


def test_close_and_open_a_thread(admin: Admin) -> None:
    admin.login()
    admin.post_comment("First")
    threads = admin.page("/admin/threads").text
    thread_id = re.search(r'action="/admin/threads/(\d+)"', threads)
    assert thread_id
    path = f"/admin/threads/{thread_id.group(1)}"
    assert admin.submit(path, {"action": "close", "back": "/admin/threads"}).status_code == 303
    refused = admin.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Late", "author": {"name": "Bo"}},
        headers={"Origin": ORIGIN},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "thread-closed"
    assert "closed" in admin.page("/admin/threads", show="closed").text
    assert admin.submit(path, {"action": "open"}).status_code == 303
    admin.post_comment("Open again")
    assert [e["action"] for e in admin.log() if e["target_kind"] == "thread"] == ["open", "close"]


def test_ban_with_reject_all_and_lift(admin: Admin) -> None:
    admin.login()
    mine = [admin.post_comment(f"Troll {i}", author={"email": "troll@example.org"})["id"] for i in range(2)]
    other = admin.post_comment("Innocent")["id"]
    page = admin.page("/admin/bans", comment=mine[0]).text
    assert 'value="troll@example.org"' in page  # the form is filled from the comment
    r = admin.submit(
        "/admin/bans",
        {
            "site": "blog",
            "email": "troll@example.org",
            "reason": "trolling",
            "reject_all": "on",
            "back": "/admin/bans",
        },
    )
    assert r.status_code == 303
    assert [admin.status_of(i) for i in mine] == ["rejected", "rejected"]
    assert admin.status_of(other) == "published"
    assert public_ids(admin) == [other]
    refused = admin.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Again", "author": {"name": "T", "email": "troll@example.org"}},
        headers={"Origin": ORIGIN},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "author-banned"
    listing = admin.page("/admin/bans").text
    assert "trolling" in listing and "an email address" in listing
    assert "troll@example.org" not in listing  # only the keyed hash is kept
    ban_id = re.search(r'action="/admin/bans/(\d+)/lift"', listing)
    assert ban_id
    assert admin.submit(f"/admin/bans/{ban_id.group(1)}/lift", {"back": "/admin/bans"}).status_code == 303
    admin.post_comment("Back again", author={"email": "troll@example.org"})
    assert [e["action"] for e in admin.log() if e["target_kind"] == "ban"] == ["unban", "ban"]


def test_suspension_by_network(admin: Admin) -> None:
    admin.login()
    r = admin.submit("/admin/bans", {"site": "blog", "ip": "203.0.113.0/24", "days": "3"})
    assert r.status_code == 303
    assert "203.0.113.0/24" in admin.page("/admin/bans").text
    for bad in (
        {"site": "blog", "ip": "not-a-network"},
        {"site": "blog"},
        {"site": "blog", "ip": "10.0.0.1", "days": "0"},
    ):
        assert admin.submit("/admin/bans", bad).status_code == 422, bad


def test_staff_reply(admin: Admin) -> None:
    admin.login()
    parent = admin.post_comment("A question?")
    r = admin.submit(
        f"/admin/comments/{parent['id']}/reply", {"text": "An answer.", "back": "/admin/queue/unmoderated"}
    )
    assert r.status_code == 303
    reply_id = r.headers["location"].rsplit("#c-", 1)[1]
    stored = row(admin, reply_id)
    assert stored.staff and stored.status == "approved" and stored.parent_id == parent["id"]
    assert stored.author_name == "Moderator"
    assert reply_id in public_ids(admin)
    thread = admin.client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
    assert {c["id"]: c["staff"] for c in thread} == {parent["id"]: False, reply_id: True}  # the badge
    assert any(e["action"] == "reply" and e["target_id"] == reply_id for e in admin.log())
    empty = admin.submit(f"/admin/comments/{parent['id']}/reply", {"text": "   "})
    assert empty.status_code == 422


def test_moderators_reply_as_themselves(admin: Admin) -> None:
    identity = admin.moderator("blog")
    parent = admin.post_comment("A question?")
    r = admin.submit(f"/admin/comments/{parent['id']}/reply", {"text": "From the desk."})
    reply = row(admin, r.headers["location"].rsplit("#c-", 1)[1])
    assert reply.identity_id == identity and reply.author_name == "Mod Erator" and reply.staff


def test_sites_and_their_settings(admin: Admin) -> None:
    admin.login()
    r = admin.submit(
        "/admin/sites", {"name": "third", "origins": "https://third.example\nhttps://www.third.example"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sites/third")
    page = admin.page("/admin/sites/third").text
    assert "https://www.third.example" in page
    r = admin.submit(
        "/admin/sites/third",
        {"part": "origins", "remove": "https://www.third.example", "add": "https://new.third.example"},
    )
    assert r.status_code == 303
    sites = admin.page("/admin/sites").text
    assert "https://new.third.example" in sites and "https://www.third.example" not in sites
    settings = {
        "part": "settings",
        "commenting": "on",
        "allow_guests": "on",
        "premoderation": "all",
        "close_after_days": "14",
        "blocked_words": "spamword\n\nspamword\nother",
        "display_depth": "4",
    }
    assert admin.submit("/admin/sites/blog", settings).status_code == 303
    held = admin.post_comment("Held now")
    assert held["status"] == "pending"
    assert held["id"] in admin.page("/admin/queue/pending").text

    async def options() -> Any:
        site = await admin.ctx.sites.by_name("blog")
        assert site is not None
        return site.options

    stored = admin.run(options)
    assert stored.moderation.premoderation == "all" and stored.moderation.close_after_days == 14
    assert stored.moderation.blocked_words == ("spamword", "other") and stored.display_depth == 4
    assert admin.submit("/admin/sites/blog", {**settings, "display_depth": "99"}).status_code == 422
    assert admin.submit("/admin/sites/blog", {**settings, "premoderation": "always"}).status_code == 422
    logged = [e for e in admin.log() if e["target_kind"] == "site"]
    assert [e["action"] for e in logged] == ["site-update", "site-update", "site-add"]
    assert logged[0]["data"]["settings"]["display_depth"] == 4


def test_roles_by_email_and_revoke(admin: Admin) -> None:
    admin.login()
    identity = admin.identity("new-mod", name="Nina", email="nina@example.org")
    r = admin.submit(
        "/admin/users", {"action": "grant", "who": "nina@example.org", "role": "moderator", "site": "blog"}
    )
    assert r.status_code == 303
    assert ("moderator", identity) in _roles(admin)
    assert "Nina" in admin.page("/admin/users").text
    r = admin.submit(
        "/admin/users", {"action": "revoke", "who": identity, "role": "moderator", "site": "blog"}
    )
    assert r.status_code == 303 and ("moderator", identity) not in _roles(admin)
    assert (
        admin.submit(
            "/admin/users", {"action": "grant", "who": "nobody@example.org", "role": "moderator"}
        ).status_code
        == 404
    )
    assert (
        admin.submit("/admin/users", {"action": "grant", "who": identity, "role": "emperor"}).status_code
        == 422
    )


def test_moderators_give_only_the_trusted_role(admin: Admin) -> None:
    admin.moderator("blog")
    other = admin.identity("someone")
    r = admin.submit("/admin/users", {"action": "grant", "who": other, "role": "moderator", "site": "blog"})
    assert r.status_code == 403
    r = admin.submit("/admin/users", {"action": "grant", "who": other, "role": "trusted", "site": "blog"})
    assert r.status_code == 303
    assert ("trusted", other) in _roles(admin) and ("moderator", other) not in _roles(admin)


def test_the_log_page(admin: Admin) -> None:
    admin.moderator("blog", Role.ADMIN)
    comment = admin.post_comment("Logged")
    admin.submit(f"/admin/comments/{comment['id']}", {"action": "reject", "reason": "abuse", "note": "rude"})
    page = admin.page("/admin/log").text
    assert "Mod Erator" in page and "reject" in page and "abuse" in page and "rude" in page
    assert f'href="/admin/comments/{comment["id"]}"' in page


def test_pending_queue_shows_why(admin_db: str) -> None:
    from tests.fixtures.admin import open_admin

    admin = open_admin(admin_db, moderation={"premoderation": "all"})
    with admin.client:
        admin.login()
        held = admin.post_comment("Please check")
        page = admin.page("/admin/queue/pending").text
        assert held["id"] in page and "premoderated" in page
        assert "Comments here are reviewed before they appear." in page
        assert admin.page(f"/admin/comments/{held['id']}").status_code == 200
        assert admin.page("/admin").text.count("rj-big") == 5


def test_dashboard_counts_per_day(admin: Admin) -> None:
    admin.login()
    for i in range(3):
        admin.post_comment(f"Today {i}")
    page = admin.page("/admin").text
    assert "3 comments in 30 days" in page
    assert page.count('class="rj-bar"') == 30


def test_unknown_things_are_404(admin: Admin) -> None:
    admin.login()
    before = admin.log()
    for path, code in (
        ("/admin/queue/everything", "queue-not-found"),
        ("/admin/comments/nope", "comment-not-found"),
        ("/admin/sites/nope", "site-not-found"),
    ):
        response = admin.client.get(path, headers=HTML)
        assert response.status_code == 404, path
        assert code in response.text, (path, response.text[:300])
    for params, status, code in (
        ({"site": "nope"}, 404, "site-not-found"),
        ({"thread": "x"}, 400, "invalid-request"),
        ({"before": "garbage"}, 422, "cursor-invalid"),
    ):
        response = admin.client.get("/admin/queue/pending", params=params, headers=HTML)
        assert response.status_code == status, params
        assert code in response.text, (params, response.text[:300])
    refused = admin.submit("/admin/comments/nope", {"action": "approve"})
    assert refused.status_code == 404 and "comment-not-found" in refused.text
    assert admin.log() == before  # nothing was decided


def test_a_comment_its_author_deleted_answers_comment_deleted(admin: Admin) -> None:
    """One answer for a deleted comment wherever a moderator acts on it: 404 comment-deleted."""
    admin.login()
    made = admin.post_comment("Gone before the moderator came")
    gone = admin.client.delete(
        f"/api/comments/{made['id']}", headers={"Rejoinder-Edit-Token": made["edit_token"], "Origin": ORIGIN}
    )
    assert gone.status_code == 204, gone.text
    before = admin.log()
    for action in ("approve", "reject", "spam", "delete"):
        refused = admin.submit(f"/admin/comments/{made['id']}", {"action": action, "reason": "spam"})
        assert refused.status_code == 404, (action, refused.text[:300])
        assert "comment-deleted" in refused.text, (action, refused.text[:300])
    assert admin.status_of(made["id"]) == "deleted"
    assert admin.log() == before  # nothing was decided


def test_site_settings_reach_every_worker_and_their_cached_threads_at_once(
    admin: Admin, admin_db: str
) -> None:
    """Two apps on one database stand for two workers: the second has the thread cached and its sites
    loaded; a settings change saved through the first reaches its /api/threads and its checks at once
    (not after the registry's 30 s reload)."""
    admin.login()
    other = open_admin(admin_db)
    with other.client:
        admin.post_comment("Before the change")
        before = other.client.get("/api/threads", params={"url": ARTICLE})
        assert before.json()["site"] == {
            "name": "blog",
            "display_depth": 3,
            "allow_guests": True,
            "require_email": False,
            "commenting": True,
            "subscriptions": {"available": False, "replies": False, "thread": False},
            "reactions": [],
            "like_button": True,
            "images": {"enabled": False, "max_count": 4, "max_bytes": 5_000_000},
        }
        settings = {
            "part": "settings",
            "commenting": "on",
            "require_email": "on",
            "display_depth": "5",
            "subscribe_replies": "on",
            "images_enabled": "on",
            "images_max_count": "2",
            "images_max_bytes": "300000",
        }
        assert admin.submit("/admin/sites/blog", settings).status_code == 303
        after = other.client.get(
            "/api/threads", params={"url": ARTICLE}, headers={"If-None-Match": before.headers["etag"]}
        )
        assert after.status_code == 200, "the cached copy was served after the settings changed"
        assert after.json()["site"] == {
            "name": "blog",
            "display_depth": 5,
            "allow_guests": False,
            "require_email": True,
            "commenting": True,
            "subscriptions": {"available": False, "replies": True, "thread": False},
            "reactions": [],
            "like_button": True,  # no reactions offered: the Like button stays
            "images": {"enabled": True, "max_count": 2, "max_bytes": 300_000},
        }
        refused = other.client.post(
            "/api/comments",
            json={"url": ARTICLE, "text": "As a guest", "author": {"name": "Ann"}},
            headers={"Origin": ORIGIN},
        )
        assert refused.status_code == 403 and refused.json()["code"] == "guests-disabled", refused.text
        news = other.client.get("/api/threads", params={"url": NEWS_ARTICLE}).json()["site"]
        assert news["name"] == "news" and news["display_depth"] == 3


def test_not_abuse_political_speech_approves_and_says_so_in_the_log(admin_db: str, tmp_path: Path) -> None:
    """The "Not abuse: political speech" button approves with the reason political-speech (the classifier
    learns it as a weighted legitimate example); the site page says what the classifier learned."""
    checks = {"checks": list(config.MODERATION_CHECKS), "model_dir": str(tmp_path)}
    admin = open_admin(admin_db, moderation=checks)
    with admin.client:
        admin.login()
        comment = admin.post_comment("This government is a disgrace. The minister should resign today.")
        r = admin.submit(
            f"/admin/comments/{comment['id']}",
            {"action": "approve-political", "back": "/admin/queue/unmoderated"},
        )
        assert r.status_code == 303
        assert r.headers["location"].startswith("/admin/queue/unmoderated?done=approve-political")
        assert admin.status_of(comment["id"]) == "approved"
        [entry] = admin.log()
        assert (entry["action"], entry["reason_code"], entry["target_id"]) == (
            "approve",
            "political-speech",
            comment["id"],
        )
        notice = "Approved as political speech: the classifier learns it is not abuse."
        assert notice in admin.page("/admin/queue/approved", done="approve-political").text
        dispatcher = admin.app.dispatcher
        assert dispatcher is not None
        admin.run(dispatcher.settle)  # the outbox handler has stored the decision for the classifier
        page = admin.page("/admin/sites/blog").text
        assert "What the classifier learned here" in page
        assert "Scored with <strong>built-in v1</strong>" in page
        assert "1 approved as political speech" in page
