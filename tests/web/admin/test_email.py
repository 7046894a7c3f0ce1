"""Moderation by email against a real SMTP server on loopback: held comments are mailed to the site's
moderators when the outbox delivers the event that held them (retried while SMTP is down, a dead letter in
/admin/events after the last attempt); a link opens a confirmation page (GET changes nothing), the button
POSTs the decision, and a link works once, expires, and respects decisions made meanwhile and roles taken
away."""

from __future__ import annotations

import re
from typing import Any

import httpx

from rejoinder.moderation.rules import Role
from tests.fixtures.admin import (
    HTML,
    NEWS_ARTICLE,
    Admin,
    Sink,
    csrf_of,
    email_settings,
    open_admin,
    password_hash,
)
from tests.fixtures.app import ARTICLE, ORIGIN

LINK = re.compile(r"(http://rejoinder\.test/admin/email/([A-Za-z0-9_-]+))\?action=(approve|reject)")


def mail_app(admin_db: str, sink: Sink, **sections: Any) -> Admin:
    return open_admin(
        admin_db,
        email=email_settings(sink),
        moderation={"premoderation": "all"},
        admin={"email": "root@example.org", **sections.pop("admin", {})},
        server={"public_url": "http://rejoinder.test"},
        **sections,
    )


_seen: dict[int, int] = {}  # messages each sink had at the last `notify`


def notify(admin: Admin, sink: Sink) -> int:
    """Wait until the app's dispatcher delivered what is due; returns how many emails arrived since."""
    dispatcher = admin.app.dispatcher
    assert dispatcher is not None
    admin.run(dispatcher.settle)
    before, _seen[id(sink)] = _seen.get(id(sink), 0), len(sink.messages)
    return len(sink.messages) - before


def links_of(message: Any) -> dict[str, str]:
    body = message.get_content()
    return {action: f"{url}?action={action}" for url, _, action in LINK.findall(body)}


def to_of(message: Any) -> str:
    return str(message["To"])


def test_held_comments_are_mailed_to_the_sites_moderators(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink)
    with admin.client:
        mod = admin.identity("mod", name="Mo", email="mod@example.org")
        admin.grant(mod, Role.MODERATOR, "blog")
        other = admin.identity("other", name="Ot", email="other@example.org")
        admin.grant(other, Role.MODERATOR, "news")
        assert notify(admin, smtp_sink) == 0
        held = admin.post_comment("Please *check* me <b>now</b>", name="Hal <i>")
        assert held["status"] == "pending"
        assert notify(admin, smtp_sink) == 2
        messages = smtp_sink.wait_for(2)
        assert sorted(to_of(m) for m in messages) == ["mod@example.org", "root@example.org"]
        message = messages[0]
        assert message["From"] == "comments@rejoinder.test"
        assert "[blog]" in message["Subject"] and message["Auto-Submitted"] == "auto-generated"
        body = message.get_content()
        assert message.get_content_type() == "text/plain"
        assert "> Please *check* me <b>now</b>" in body and "Hal <i>" in body
        assert "Comments here are reviewed before they appear." in body
        assert set(links_of(message)) == {"approve", "reject"}
        assert notify(admin, smtp_sink) == 0  # each held comment is mailed once
        admin.post_comment("In the news", url=NEWS_ARTICLE)
        assert (
            notify(admin, smtp_sink) == 2
        )  # the news moderator and the admin account, not the blog moderator
        assert sorted(to_of(m) for m in smtp_sink.wait_for(4)[2:]) == [
            "other@example.org",
            "root@example.org",
        ]


def test_a_link_confirms_then_acts_once(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink)
    with admin.client:
        mod = admin.identity("mod", name="Mo", email="mod@example.org")
        admin.grant(mod, Role.MODERATOR, "blog")
        notify(admin, smtp_sink)
        held = admin.post_comment("Held one")
        notify(admin, smtp_sink)
        [mine] = [m for m in smtp_sink.wait_for(2) if to_of(m) == "mod@example.org"]
        url = links_of(mine)["approve"]
        path = url.removeprefix("http://rejoinder.test")
        # A mail scanner (or the moderator) opening the link changes nothing, however often.
        for _ in range(3):
            page = admin.client.get(path, headers=HTML)
            assert page.status_code == 200 and "Approve this comment?" in page.text
            assert "Held one" in page.text
            assert page.headers["referrer-policy"] == "same-origin"
        assert admin.status_of(held["id"]) == "pending"
        # The button POSTs, without any session: the link is the moderator's proof.
        form = {"csrf": csrf_of(page.text), "action": "approve"}
        token_path = path.split("?")[0]
        done = admin.client.post(token_path, data=form, headers=HTML)
        assert done.status_code == 200 and "is approved now" in done.text
        assert admin.status_of(held["id"]) == "approved"
        [entry] = [e for e in admin.log() if e["target_id"] == held["id"]]
        assert (
            entry["actor"] == mod and entry["action"] == "approve" and entry["note"] == "from an email link"
        )
        # Used once: both the page and the action are gone.
        again = admin.client.post(token_path, data=form, headers=HTML)
        assert again.status_code == 410 and "email-link-used" in again.text
        assert admin.client.get(path, headers=HTML).status_code == 410
        assert admin.client.get(path).json()["code"] == "email-link-used"


def test_reject_by_link_with_a_reason(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink)
    with admin.client:
        notify(admin, smtp_sink)
        held = admin.post_comment("Buy things")
        notify(admin, smtp_sink)
        [message] = smtp_sink.wait_for(1)
        path = links_of(message)["reject"].removeprefix("http://rejoinder.test")
        page = admin.client.get(path, headers=HTML)
        assert "Reject this comment?" in page.text and 'name="reason"' in page.text
        token_path = path.split("?")[0]
        bad = admin.client.post(
            token_path,
            data={"csrf": csrf_of(page.text), "action": "reject", "reason": "whatever"},
            headers=HTML,
        )
        assert bad.status_code == 422  # refused before the link is used up
        done = admin.client.post(
            token_path, data={"csrf": csrf_of(page.text), "action": "reject", "reason": "spam"}, headers=HTML
        )
        assert done.status_code == 200
        assert admin.status_of(held["id"]) == "rejected"
        [entry] = [e for e in admin.log() if e["target_id"] == held["id"]]
        assert entry["actor"] == "admin:root" and entry["reason_code"] == "spam"


def test_link_forms_need_their_csrf_token(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink)
    with admin.client:
        notify(admin, smtp_sink)
        held = admin.post_comment("Held")
        notify(admin, smtp_sink)
        [message] = smtp_sink.wait_for(1)
        token_path = links_of(message)["approve"].removeprefix("http://rejoinder.test").split("?")[0]
        for data in ({"action": "approve"}, {"action": "approve", "csrf": "A" * 32}):
            assert admin.client.post(token_path, data=data, headers=HTML).status_code == 403
        page = admin.client.get(token_path, headers=HTML)
        cross = admin.client.post(
            token_path,
            data={"csrf": csrf_of(page.text), "action": "approve"},
            headers={**HTML, "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        assert admin.status_of(held["id"]) == "pending"
        assert admin.client.get(token_path, headers=HTML).status_code == 200  # still usable


def test_expired_and_unknown_links(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink)
    with admin.client:
        notify(admin, smtp_sink)
        held = admin.post_comment("Old")
        notify(admin, smtp_sink)
        [message] = smtp_sink.wait_for(1)
        later = admin.ctx.clock() + 100 * 3600 * 1_000_000  # 100 hours on (links last 72)
        admin.ctx.clock = lambda: later
        path = links_of(message)["approve"].removeprefix("http://rejoinder.test")
        page = admin.client.get(path, headers=HTML)
        assert page.status_code == 410 and "expired" in page.text
        for bad in ("/admin/email/" + "A" * 43, "/admin/email/short", "/admin/email/" + "%3Cb%3E" * 8):
            assert admin.client.get(bad, headers=HTML).status_code == 404, bad
        assert admin.status_of(held["id"]) == "pending"


def test_a_link_respects_decisions_made_meanwhile(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink)
    with admin.client:
        mod = admin.identity("mod", name="Mo", email="mod@example.org")
        admin.grant(mod, Role.MODERATOR, "blog")
        notify(admin, smtp_sink)
        held = admin.post_comment("Contested")
        notify(admin, smtp_sink)
        messages = smtp_sink.wait_for(2)
        by = {to_of(m): links_of(m) for m in messages}
        root_path = by["root@example.org"]["reject"].removeprefix("http://rejoinder.test")
        page = admin.client.get(root_path, headers=HTML)
        mod_path = by["mod@example.org"]["approve"].removeprefix("http://rejoinder.test").split("?")[0]
        mod_page = admin.client.get(mod_path, headers=HTML)
        # The admin rejects from their email first...
        admin.client.post(
            root_path.split("?")[0],
            data={"csrf": csrf_of(page.text), "action": "reject", "reason": "abuse"},
            headers=HTML,
        )
        # ...then the moderator's older email cannot approve it behind their back.
        late = admin.client.post(
            mod_path, data={"csrf": csrf_of(mod_page.text), "action": "approve"}, headers=HTML
        )
        assert late.status_code == 409 and "comment-already-moderated" in late.text
        assert admin.status_of(held["id"]) == "rejected"


def test_a_link_of_a_former_moderator_does_nothing(admin_db: str, smtp_sink: Sink) -> None:
    admin = mail_app(admin_db, smtp_sink, admin={"email": ""})
    with admin.client:
        mod = admin.identity("mod", name="Mo", email="mod@example.org")
        admin.grant(mod, Role.MODERATOR, "blog")
        notify(admin, smtp_sink)
        held = admin.post_comment("Held")
        notify(admin, smtp_sink)
        [message] = smtp_sink.wait_for(1)

        async def revoke() -> None:
            from rejoinder.moderation.actions import Actor
            from rejoinder.services import moderation

            site = await admin.ctx.sites.by_name("blog")
            assert site is not None
            await moderation.set_role(
                admin.ctx, Actor.of_system("cli"), mod, Role.MODERATOR, site_id=site.id, granted=False
            )

        admin.run(revoke)
        path = links_of(message)["approve"].removeprefix("http://rejoinder.test").split("?")[0]
        page = admin.client.get(path, headers=HTML)
        response = admin.client.post(
            path, data={"csrf": csrf_of(page.text), "action": "approve"}, headers=HTML
        )
        assert response.status_code == 403
        assert admin.status_of(held["id"]) == "pending"


def test_two_workers_mail_each_comment_once(admin_db: str, smtp_sink: Sink) -> None:
    first = mail_app(admin_db, smtp_sink)
    second = mail_app(admin_db, smtp_sink)
    with first.client, second.client:
        notify(first, smtp_sink)
        for i in range(3):
            first.post_comment(f"Held {i}")
        # One recipient (the admin account), three comments: whichever worker delivers each event.
        assert notify(second, smtp_sink) + notify(first, smtp_sink) == 3
        assert notify(first, smtp_sink) + notify(second, smtp_sink) == 0
        assert len(smtp_sink.wait_for(3)) == 3


def test_an_unreachable_mail_server_is_logged_not_raised(admin_db: str) -> None:
    from tests.fixtures.servers import free_port

    dead = Sink(port=free_port(), messages=[])
    admin = mail_app(admin_db, dead)
    with admin.client:
        notify(admin, dead)
        posted = admin.post_comment("Held")
        assert posted["status"] == "pending"  # the comment is not held up by the mail server
        assert notify(admin, dead) == 0  # nothing sent, nothing raised: the outbox tries again later


def test_a_message_the_mail_server_never_took_is_a_dead_letter_until_retried(admin_db: str) -> None:
    """SMTP down for every attempt: the delivery gives up and /admin/events lists it with its error; once
    the server is back, Retry sends the email (and the list is empty again)."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from tests.fixtures.servers import free_port

    sink = Sink(port=free_port(), messages=[])
    admin = mail_app(admin_db, sink, events={"max_attempts": 1})
    with admin.client:
        held = admin.post_comment("Nobody hears me")
        assert notify(admin, sink) == 0
        admin.login()
        page = admin.client.get("/admin/events", headers=HTML)
        assert page.status_code == 200
        assert "moderator-email" in page.text and "comment.posted" in page.text and held["id"] in page.text
        assert "Unavailable: The mail server 127.0.0.1" in page.text
        [delivery_id] = re.findall(r'action="/admin/events/(\d+)/retry"', page.text)

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
        controller.start()
        try:
            retried = admin.client.post(
                f"/admin/events/{delivery_id}/retry", data={"csrf": csrf_of(page.text)}, headers=HTML
            )
            assert retried.status_code == 200  # after the redirect to the list
            assert "The delivery will be tried again" in retried.text
            assert notify(admin, sink) == 1
            [message] = sink.messages
            assert to_of(message) == "root@example.org" and "Nobody hears me" in message.get_content()
        finally:
            controller.stop()
        after = admin.client.get("/admin/events", headers=HTML)
        assert "No delivery has failed for good." in after.text
        again = admin.client.post(
            f"/admin/events/{delivery_id}/retry",
            data={"csrf": csrf_of(after.text)},
            headers={"Accept": "application/json"},
        )
        assert again.status_code == 409 and again.json()["code"] == "delivery-not-dead"
        missing = admin.client.post(
            "/admin/events/999999/retry",
            data={"csrf": csrf_of(after.text)},
            headers={"Accept": "application/json"},
        )
        assert missing.status_code == 404 and missing.json()["code"] == "delivery-not-found"


def test_a_running_server_mails_and_acts(admin_db: str, smtp_sink: Sink, server_factory: Any) -> None:
    """`rejoinder serve` looks for held comments by itself and the emailed link works end to end."""
    env = {
        "REJOINDER_EMAIL__HOST": "127.0.0.1",
        "REJOINDER_EMAIL__PORT": str(smtp_sink.port),
        "REJOINDER_EMAIL__SENDER": "comments@rejoinder.test",
        "REJOINDER_EMAIL__STARTTLS": "false",
        "REJOINDER_ADMIN__USERNAME": "root",
        "REJOINDER_ADMIN__PASSWORD_HASH": password_hash(),
        "REJOINDER_ADMIN__EMAIL": "root@example.org",
        "REJOINDER_MODERATION__PREMODERATION": "all",
        "REJOINDER_MODERATION__MIN_SECONDS": "0",
    }
    server = server_factory(admin_db, env=env)
    env_url = server.url
    posted = httpx.post(
        env_url + "/api/comments",
        json={"url": ARTICLE, "text": "Mail me", "author": {"name": "Ann"}},
        headers={"Origin": ORIGIN},
    )
    assert posted.status_code == 201 and posted.json()["status"] == "pending"
    [message] = smtp_sink.wait_for(1)
    base = f"http://127.0.0.1:{server.port}"
    assert base + "/admin/email/" in message.get_content()  # links name the server it runs as
    path = links_of_base(message, base)["approve"].removeprefix(base)
    with httpx.Client(base_url=env_url) as browser:
        page = browser.get(path, headers=HTML)
        assert page.status_code == 200 and "Mail me" in page.text
        done = browser.post(
            path.split("?")[0], data={"csrf": csrf_of(page.text), "action": "approve"}, headers=HTML
        )
        assert done.status_code == 200, done.text
    thread = httpx.get(env_url + "/api/threads", params={"url": ARTICLE}).json()
    assert [c["status"] for c in thread["comments"]] == ["approved"]


def links_of_base(message: Any, base: str) -> dict[str, str]:
    pattern = re.compile(re.escape(base) + r"(/admin/email/[A-Za-z0-9_-]+)\?action=(approve|reject)")
    return {
        action: f"{base}{path}?action={action}" for path, action in pattern.findall(message.get_content())
    }
