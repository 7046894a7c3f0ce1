"""Email subscriptions end to end against a real SMTP server on loopback (aiosmtpd): a guest's double opt-in,
a signed-in reader's verified address, batching per minute and daily digests on the injected clock, who is
told and who is not (own comments, held, spam, approved later), the email itself (text + HTML, language,
List-Unsubscribe one-click), the pages its links open, forged and expired links, suppression after a 5xx
refusal, rate limits and header injection."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import httpx
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.domain.identity import Profile
from rejoinder.domain.subscriptions import LinkPurpose, sign_link
from rejoinder.services import accounts
from rejoinder.store import engine as store_engine
from rejoinder.store import subscriptions as store
from tests.fixtures.admin import Admin, Sink, email_settings, settings_for
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.clock import ManualClock

BASE = "http://rejoinder.test"
LINK = re.compile(
    r"http://rejoinder\.test/subscriptions/(confirm|unsubscribe|manage)/([A-Za-z0-9.]+)(\?lang=\w+)?"
)
JSON = {"Origin": ORIGIN}


def sub_app(db_url: str, sink: Sink, clock: ManualClock, **sections: Any) -> Admin:
    settings = settings_for(
        db_url,
        email=email_settings(sink),
        server={"public_url": BASE},
        **sections,
    )
    app = create_app(settings, clock=clock)
    return Admin(client=TestClient(app=app, base_url=BASE), app=app)


def deliver(admin: Admin) -> None:
    dispatcher = admin.app.dispatcher
    assert dispatcher is not None
    admin.run(dispatcher.settle)


def subscribe(admin: Admin, **body: Any) -> httpx.Response:
    return admin.client.post("/api/subscriptions", json={"url": ARTICLE, **body}, headers=JSON)


def links(message: EmailMessage) -> dict[str, str]:
    text = text_of(message)
    return {kind: f"{BASE}/subscriptions/{kind}/{token}{lang}" for kind, token, lang in LINK.findall(text)}


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def path(url: str) -> str:
    return url.removeprefix(BASE)


def confirm_by_email(admin: Admin, sink: Sink, count: int) -> EmailMessage:
    """Deliver the confirmation email (the `count`-th message) and press its button."""
    deliver(admin)
    message: EmailMessage = sink.wait_for(count)[count - 1]
    url = links(message)["confirm"]
    page = admin.client.get(path(url))
    assert page.status_code == 200, page.text
    done = admin.client.post(path(url))
    assert done.status_code == 200 and 'id="rj-done"' in done.text, done.text
    return message


def states(admin: Admin, email: str, site: str = "blog") -> list[tuple[str, str, str]]:
    """(kind, mode, state) of every subscription of `email` on `site`."""

    async def go() -> list[tuple[str, str, str]]:
        site_id = await admin.ctx.sites.scope_named(site)
        assert site_id is not None
        async with store_engine.read(admin.ctx.engine) as conn:
            address = await store.select_address_by_email(conn, site_id, email)
            if address is None:
                return []
            followed = await store.select_followed(conn, address.id)
        return [
            (f.subscription.kind.value, f.subscription.mode.value, f.subscription.state.value)
            for f in followed
        ]

    found: list[tuple[str, str, str]] = admin.run(go)
    return found


def test_a_guest_confirms_once_and_a_burst_of_replies_is_one_email(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        mine = admin.post_comment("My question?", name="Ann", author={"email": "ann@example.org"})
        asked = subscribe(admin, kinds=["replies"], comment=mine["id"], email="Ann@Example.org", lang="de")
        assert asked.status_code == 202, asked.text
        assert asked.json() == {"state": "confirm", "kinds": ["replies"], "mode": "immediate"}
        assert states(admin, "ann@example.org") == [("replies", "immediate", "pending")]

        # Before the address is confirmed, a reply mails nothing.
        admin.post_comment("Early answer", name="Bob", parent=mine["id"])
        deliver(admin)
        clock.advance(120)
        deliver(admin)
        confirmation = smtp_sink.wait_for(1)[0]
        assert len(smtp_sink.messages) == 1
        assert confirmation["To"] == "ann@example.org"
        assert confirmation["Subject"] == "[blog] Bestätige dein Abonnement"
        assert "List-Unsubscribe" not in confirmation
        assert "Antworten auf deinen Kommentar zu" in text_of(confirmation)
        url = links(confirmation)["confirm"]
        assert url.endswith("?lang=de")

        # The GET only shows the button (mail scanners follow links); the POST confirms.
        shown = admin.client.get(path(url))
        assert shown.status_code == 200 and '<form method="post"' in shown.text
        assert states(admin, "ann@example.org") == [("replies", "immediate", "pending")]
        done = admin.client.post(path(url))
        assert done.status_code == 200 and 'id="rj-done"' in done.text
        assert states(admin, "ann@example.org") == [("replies", "immediate", "active")]

        # Three replies within the minute, one of them by Ann herself: one email, about the other two.
        first = admin.post_comment("First *reply*", name="Bob", parent=mine["id"])
        deliver(admin)  # the outbox runs right after each commit: the batch closes a minute from now
        admin.post_comment("Thanks!", name="Ann", parent=mine["id"], author={"email": "ann@example.org"})
        clock.advance(20)
        second = admin.post_comment("Second reply", name="Cy", parent=mine["id"])
        deliver(admin)
        assert len(smtp_sink.messages) == 1  # the batch closes a minute after the first reply
        clock.advance(41)
        deliver(admin)
        message = smtp_sink.wait_for(2)[1]
        deliver(admin)
        assert len(smtp_sink.messages) == 2
        assert message["To"] == "ann@example.org"
        assert message["Subject"] == "[blog] Neue Kommentare (2)"
        text = text_of(message)
        assert f"{ARTICLE}#comment-{first['id']}" in text and f"{ARTICLE}#comment-{second['id']}" in text
        assert "> First *reply*" in text and "Thanks!" not in text and "Early answer" not in text
        assert "Bob hat auf deinen Kommentar" in text
        html = html_of(message)
        assert "<em>reply</em>" in html and f'href="{ARTICLE}#comment-{first["id"]}"' in html
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = re.fullmatch(
            r"<(http://rejoinder\.test/subscriptions/unsubscribe/[A-Za-z0-9.]+)\?lang=de>",
            message["List-Unsubscribe"],
        )
        assert unsubscribe is not None

        # RFC 8058: the mail client POSTs from its own servers, without Origin or cookies.
        one_click = admin.client.post(
            path(unsubscribe.group(1)),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 200 and 'id="rj-done"' in one_click.text
        assert states(admin, "ann@example.org") == []
        again = admin.client.post(
            path(unsubscribe.group(1)),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert again.status_code == 200  # a repeated one-click is fine
        admin.post_comment("Third reply", name="Di", parent=mine["id"])
        clock.advance(61)
        deliver(admin)
        assert len(smtp_sink.messages) == 2


def test_a_confirmed_address_is_not_asked_again_but_is_told(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        mine = admin.post_comment("Hello", name="Ann")
        assert (
            subscribe(admin, kinds=["replies"], comment=mine["id"], email="ann@example.org").status_code
            == 202
        )
        confirm_by_email(admin, smtp_sink, 1)
        asked = subscribe(admin, kinds=["thread"], email="ann@example.org", mode="digest")
        assert asked.json() == {"state": "confirm", "kinds": ["thread"], "mode": "digest"}  # the same answer
        assert states(admin, "ann@example.org") == [
            ("replies", "immediate", "active"),
            ("thread", "digest", "active"),
        ]
        deliver(admin)
        notice = smtp_sink.wait_for(2)[1]
        assert notice["Subject"] == "[blog] Subscription started"
        assert notice["List-Unsubscribe"] is not None and "confirm" not in links(notice)


def test_someone_elses_address_is_not_followed_until_its_owner_confirms(
    admin_db: str, smtp_sink: Sink
) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        admin.post_comment("Hello", name="Ann")
        assert subscribe(admin, kinds=["thread"], email="victim@example.org").status_code == 202
        deliver(admin)
        assert smtp_sink.wait_for(1)[0]["Subject"] == "[blog] Confirm your subscription"
        admin.post_comment("News", name="Bob")
        clock.advance(3600)
        deliver(admin)
        assert len(smtp_sink.messages) == 1  # only the confirmation request: nothing about comments
        assert states(admin, "victim@example.org") == [("thread", "immediate", "pending")]
        # Guessing the link does not work: its signature is checked.
        forged = sign_link(b"not the server's secret" * 2, LinkPurpose.CONFIRM, 1, expires=clock() + 10**9)
        refused = admin.client.post(f"/subscriptions/confirm/{forged}")
        assert refused.status_code == 403 and "subscription-link-invalid" in refused.text
        assert states(admin, "victim@example.org") == [("thread", "immediate", "pending")]


def test_a_signed_in_readers_verified_address_is_followed_at_once(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        profile = Profile(
            provider="test", subject="rea", name="Rea", email="rea@example.org", email_verified=True
        )

        async def sign_in() -> str:
            outcome = await accounts.sign_in_with_profile(admin.ctx, profile, label="Test")
            assert outcome.token is not None
            return outcome.token

        token: str = admin.run(sign_in)
        admin.post_comment("Hello", name="Ann")
        asked = admin.client.post(
            "/api/subscriptions",
            json={"url": ARTICLE, "kinds": ["thread"]},
            headers={**JSON, "Authorization": f"Bearer {token}"},
        )
        assert asked.status_code == 202 and asked.json() == {
            "state": "active",
            "kinds": ["thread"],
            "mode": "immediate",
        }
        assert states(admin, "rea@example.org") == [("thread", "immediate", "active")]
        deliver(admin)
        assert smtp_sink.messages == []  # no confirmation: the provider vouched for the address
        news = admin.post_comment("News for Rea", name="Bob")
        deliver(admin)
        clock.advance(61)
        deliver(admin)
        message = smtp_sink.wait_for(1)[0]
        assert (
            message["To"] == "rea@example.org" and message["Subject"] == f"[blog] New comment on “{ARTICLE}”"
        )
        assert f"{ARTICLE}#comment-{news['id']}" in text_of(message)
