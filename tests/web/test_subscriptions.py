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
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts
from rejoinder.store import engine as store_engine
from rejoinder.store import subscriptions as store
from tests.fixtures.admin import HTML, Admin, Sink, csrf_of, email_settings, settings_for
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.clock import ManualClock

BASE = "http://rejoinder.test"
LINK = re.compile(
    r"http://rejoinder\.test/subscriptions/(confirm|unsubscribe|manage)/([A-Za-z0-9.]+)(\?lang=\w+)?"
)
JSON = {"Origin": ORIGIN}


def sub_app(db_url: str, sink: Sink, clock: ManualClock, *, peer: bool = False, **sections: Any) -> Admin:
    """The app on `clock`, mailing through `sink`; with `peer`, every request comes from a trusted proxy
    at 127.0.0.1 and names its client with X-Forwarded-For (per-network limits need an address)."""
    settings = settings_for(
        db_url,
        email={**email_settings(sink), **sections.pop("email", {})},
        server={"public_url": BASE},
        **sections,
    )
    app = create_app(settings, clock=clock)
    served: Any = app
    if peer:

        async def served(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                scope = {**scope, "client": ("127.0.0.1", 40000)}
            await app(scope, receive, send)

    return Admin(client=TestClient(app=served, base_url=BASE), app=app)


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
    """Deliver the confirmation email (the `count`-th message) and press its button; the page that
    answers is appended to `confirmed_pages`."""
    deliver(admin)
    message: EmailMessage = sink.wait_for(count)[count - 1]
    url = links(message)["confirm"]
    page = admin.client.get(path(url))
    assert page.status_code == 200, page.text
    done = admin.client.post(path(url))
    assert done.status_code == 200 and 'id="rj-done"' in done.text, done.text
    confirmed_pages.append(done.text)
    return message


confirmed_pages: list[str] = []


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
        clock.advance(1)  # subscribed after it: it is not news to them
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
        clock.advance(1)  # subscribed after it: it is not news to them
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


def test_only_public_comments_notify_and_approving_a_held_one_sends_then(
    admin_db: str, smtp_sink: Sink
) -> None:
    clock = ManualClock()
    admin = sub_app(
        admin_db, smtp_sink, clock, moderation={"premoderation": "all"}, email={"notify_pending": False}
    )
    with admin.client:
        first = admin.post_comment("Hello", name="Ann")
        admin.run(lambda: _approve(admin, first["id"]))
        assert subscribe(admin, kinds=["thread"], email="sam@example.org").status_code == 202
        confirm_by_email(admin, smtp_sink, 1)
        held = admin.post_comment("Held back", name="Bob")
        spam = admin.post_comment("Buy now", name="Spammer")
        assert held["status"] == "pending" and spam["status"] == "pending"
        admin.run(lambda: _decide(admin, spam["id"], "spam"))
        deliver(admin)
        clock.advance(120)
        deliver(admin)
        assert len(smtp_sink.messages) == 1  # held and spam: nothing
        admin.run(lambda: _approve(admin, held["id"]))
        deliver(admin)
        clock.advance(61)
        deliver(admin)
        message = smtp_sink.wait_for(2)[1]
        assert "Held back" in text_of(message) and "Buy now" not in text_of(message)


async def _approve(admin: Admin, comment_id: str) -> None:
    await _decide(admin, comment_id, "approve")


async def _decide(admin: Admin, comment_id: str, action: str) -> None:
    from rejoinder.moderation.actions import Actor, ModAction
    from rejoinder.services import moderation as moderation_service

    await moderation_service.decide(admin.ctx, Actor.of_system("cli"), comment_id, ModAction(action))


def test_a_daily_digest_collects_the_day(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock(
        start_us=1_796_000_000 * 1_000_000 - (1_796_000_000 % 86400) * 1_000_000 + 8 * 3600 * 1_000_000
    )
    admin = sub_app(admin_db, smtp_sink, clock, subscriptions={"digest_hour": 7})
    with admin.client:
        admin.post_comment("Hello", name="Ann")
        clock.advance(1)  # subscribed after it: it is not news to them
        assert subscribe(admin, kinds=["thread"], email="dee@example.org", mode="digest").status_code == 202
        confirm_by_email(admin, smtp_sink, 1)
        for n in range(3):
            admin.post_comment(f"Comment {n}", name="Bob")
            deliver(admin)
            clock.advance(3600)
        assert len(smtp_sink.messages) == 1  # 11:00: the digest goes out at 07:00 tomorrow
        clock.advance(20 * 3600)
        deliver(admin)
        digest = smtp_sink.wait_for(2)[1]
        assert digest["Subject"] == "[blog] Today's new comments (3)"
        assert all(f"> Comment {n}" in text_of(digest) for n in range(3))
        deliver(admin)
        assert len(smtp_sink.messages) == 2


def test_forged_and_expired_links_change_nothing(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock, subscriptions={"link_days": 1, "confirm_hours": 1})
    with admin.client:
        mine = admin.post_comment("Hello", name="Ann")
        subscribe(admin, kinds=["replies"], comment=mine["id"], email="ann@example.org")
        deliver(admin)
        confirm_url = links(smtp_sink.wait_for(1)[0])["confirm"]
        clock.advance(3601)
        expired = admin.client.post(path(confirm_url))
        assert expired.status_code == 410 and 'id="rj-code">subscription-link-expired<' in expired.text
        assert states(admin, "ann@example.org") == [("replies", "immediate", "pending")]
        subscribe(admin, kinds=["replies"], comment=mine["id"], email="ann@example.org")
        confirm_by_email(admin, smtp_sink, 2)
        admin.post_comment("A reply", name="Bob", parent=mine["id"])
        deliver(admin)
        clock.advance(61)
        deliver(admin)
        unsubscribe = links(smtp_sink.wait_for(3)[2])["unsubscribe"]
        token = unsubscribe.rsplit("/", 1)[1]
        head, seconds, signature = token.split(".")
        for forged in (
            f"{head[0]}{int(head[1:]) + 1}.{seconds}.{signature}",  # another subscription
            f"{head}.{int(seconds) + 86400}.{signature}",  # a later expiry
            f"{head}.{seconds}.{'0' * 32}",
            f"m{head[1:]}.{seconds}.{signature}",  # another purpose
            "u1",
        ):
            for method in (admin.client.get, admin.client.post):
                refused = method(f"/subscriptions/unsubscribe/{forged}")
                assert refused.status_code == 403, (forged, refused.text)
                assert 'id="rj-code">subscription-link-invalid<' in refused.text
        assert states(admin, "ann@example.org") == [("replies", "immediate", "active")]
        clock.advance(86401)
        expired = admin.client.post(path(unsubscribe))
        assert expired.status_code == 410 and "subscription-link-expired" in expired.text
        assert states(admin, "ann@example.org") == [("replies", "immediate", "active")]


def test_the_manage_page_lists_and_changes_everything(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        mine = admin.post_comment("Hello", name="Ann")
        subscribe(admin, kinds=["replies", "thread"], comment=mine["id"], email="ann@example.org")
        confirm_by_email(admin, smtp_sink, 1)
        found = re.search(
            r'href="(http://rejoinder\.test/subscriptions/manage/[A-Za-z0-9.]+)"', confirmed_pages[-1]
        )
        assert found is not None
        manage = found.group(1)
        page = admin.client.get(path(manage))
        assert page.status_code == 200
        assert (
            f"Replies to your comment on “{ARTICLE}”" in page.text
            and f"New comments on “{ARTICLE}”" in page.text
        )
        ids = [int(i) for i in re.findall(r'id="rj-sub-(\d+)"', page.text)]
        assert len(ids) == 2
        saved = admin.client.post(
            path(manage), data={f"mode-{ids[0]}": "digest", f"mode-{ids[1]}": "weekly", "remove": str(ids[1])}
        )
        assert saved.status_code == 200 and 'id="rj-done"' in saved.text
        assert states(admin, "ann@example.org") == [("replies", "digest", "active")]
        everything = admin.client.post(path(manage), data={"all": "1"})
        assert everything.status_code == 200 and 'id="rj-none"' in everything.text
        assert states(admin, "ann@example.org") == []


def test_header_injection_through_names_and_titles_is_impossible(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        evil = "Evil\r\nBcc: victim@example.org\r\nX-Injected: yes"
        mine = admin.post_comment("Hello", name="Ann", title="Title\r\nBcc: victim@example.org\nX-Title: 1")
        subscribe(admin, kinds=["replies"], comment=mine["id"], email="ann@example.org")
        confirm_by_email(admin, smtp_sink, 1)
        admin.post_comment("Hi", name=evil, parent=mine["id"])
        deliver(admin)
        clock.advance(61)
        deliver(admin)
        message = smtp_sink.wait_for(2)[1]
        assert message["Bcc"] is None and message["X-Injected"] is None and message["X-Title"] is None
        assert message["X-Envelope-To"] == "ann@example.org"
        assert "\n" not in str(message["Subject"]) and message["Subject"].startswith(
            "[blog] New comment on “Title"
        )
        assert "Bcc:" not in html_of(message).split("<body", 1)[0]


def test_a_permanent_refusal_suppresses_the_address_and_failures_are_retried(admin_db: str) -> None:
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from tests.fixtures.servers import free_port

    received: list[Any] = []
    down = {"now": False}

    class Handler:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if down["now"]:
                return "421 4.3.0 try again later"
            if address.startswith("gone@"):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sink = Sink(port=port, messages=received)
        clock = ManualClock()
        admin = sub_app(admin_db, sink, clock, events={"max_attempts": 5})
        with admin.client:
            admin.post_comment("Hello", name="Ann")
            clock.advance(1)  # subscribed after it: it is not news to them
            profile_tokens = []
            for who in ("gone", "kept"):
                profile = Profile(
                    provider="test", subject=who, name=who, email=f"{who}@example.org", email_verified=True
                )

                async def sign_in(p: Profile = profile) -> str:
                    outcome = await accounts.sign_in_with_profile(admin.ctx, p, label="Test")
                    assert outcome.token is not None
                    return outcome.token

                token: str = admin.run(sign_in)
                profile_tokens.append(token)
                asked = admin.client.post(
                    "/api/subscriptions",
                    json={"url": ARTICLE, "kinds": ["thread"]},
                    headers={**JSON, "Authorization": f"Bearer {token}"},
                )
                assert asked.json()["state"] == "active"
            admin.post_comment("News", name="Bob")
            deliver(admin)
            down["now"] = True
            clock.advance(61)
            deliver(admin)
            assert received == []  # both failed (4xx): retried later
            down["now"] = False
            clock.advance(30)
            deliver(admin)
            sink.wait_for(1)
            deliver(admin)
            assert [str(m["To"]) for m in received] == ["kept@example.org"]

            async def suppressed() -> tuple[bool, bool]:
                async with store_engine.read(admin.ctx.engine) as conn:
                    return (
                        await store.is_suppressed(conn, "gone@example.org"),
                        await store.is_suppressed(conn, "kept@example.org"),
                    )

            assert admin.run(suppressed) == (True, False)
            admin.post_comment("More news", name="Bob")
            deliver(admin)
            clock.advance(61)
            deliver(admin)
            sink.wait_for(2)
            assert [str(m["To"]) for m in received] == ["kept@example.org", "kept@example.org"]
    finally:
        controller.stop()


def test_confirmation_requests_are_rate_limited_per_address_and_network(
    admin_db: str, smtp_sink: Sink
) -> None:
    clock = ManualClock()
    admin = sub_app(
        admin_db,
        smtp_sink,
        clock,
        peer=True,
        moderation={
            "rate_limits": True,
            "subscribe_limit_email": "2/hour",
            "subscribe_limit_ip": "4/hour",
            "trusted_proxies": ["127.0.0.1/32"],
        },
    )
    with admin.client:
        admin.post_comment("Hello", name="Ann")
        clock.advance(1)  # subscribed after it: it is not news to them

        def ask(email: str, ip: str) -> httpx.Response:
            return admin.client.post(
                "/api/subscriptions",
                json={"url": ARTICLE, "kinds": ["thread"], "email": email},
                headers={**JSON, "X-Forwarded-For": ip},
            )

        answers = [ask("same@example.org", f"203.0.113.{n}").status_code for n in range(3)]
        assert answers == [202, 202, 429]  # per address, whatever the network
        others = [ask(f"o{n}@example.org", "198.51.100.7") for n in range(5)]
        assert [r.status_code for r in others] == [202, 202, 202, 202, 429]  # per network
        assert others[4].json()["code"] == "rate-limited" and int(others[4].headers["Retry-After"]) > 0


def test_bad_input_is_a_precise_problem(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock)
    with admin.client:
        mine = admin.post_comment("Hello", name="Ann")
        cases = [
            ({"kinds": []}, 422, "subscription-kind-invalid"),
            ({"kinds": ["site"], "email": "a@example.org"}, 422, "subscription-kind-invalid"),
            (
                {"kinds": ["thread"], "email": "a@example.org", "mode": "weekly"},
                422,
                "subscription-mode-invalid",
            ),
            ({"kinds": ["replies"], "email": "a@example.org"}, 422, "subscription-comment-required"),
            ({"kinds": ["thread"]}, 422, "email-required"),
            ({"kinds": ["thread"], "email": "not an address"}, 422, "email-invalid"),
            ({"kinds": ["replies"], "comment": "nope", "email": "a@example.org"}, 404, "comment-not-found"),
            (
                {"kinds": ["thread"], "email": "a@example.org", "url": ORIGIN + "/never"},
                404,
                "thread-not-found",
            ),
        ]
        for body, status, code in cases:
            answer = subscribe(admin, **body)
            assert answer.status_code == status and answer.json()["code"] == code, (body, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        assert states(admin, "a@example.org") == []
        assert mine["id"]


def test_without_an_smtp_server_subscriptions_are_not_offered(admin_db: str) -> None:
    clock = ManualClock()
    app = create_app(settings_for(admin_db, server={"public_url": BASE}), clock=clock)
    admin = Admin(client=TestClient(app=app, base_url=BASE), app=app)
    with admin.client:
        admin.post_comment("Hello", name="Ann")
        clock.advance(1)  # subscribed after it: it is not news to them
        thread = admin.client.get("/api/threads", params={"url": ARTICLE}).json()
        assert thread["site"]["subscriptions"] == {"available": False, "replies": False, "thread": False}
        refused = subscribe(admin, kinds=["thread"], email="a@example.org")
        assert refused.status_code == 503 and refused.json()["code"] == "subscriptions-disabled"


def test_a_moderator_opts_in_to_every_new_comment_in_admin(admin_db: str, smtp_sink: Sink) -> None:
    clock = ManualClock()
    admin = sub_app(admin_db, smtp_sink, clock, admin={"email": "root@example.org"})
    with admin.client:
        mod = admin.identity("mod", name="Mo", email="mod@example.org")
        admin.grant(mod, Role.MODERATOR, "blog")
        admin.session_for(mod)
        page = admin.client.get("/admin/sites", headers=HTML)
        assert (
            page.status_code == 200
            and 'id="notify-blog"' in page.text
            and 'id="notify-news"' not in page.text
        )
        saved = admin.client.post(
            "/admin/sites/notify",
            data={"csrf": csrf_of(page.text), "site": "blog", "mode": "immediate"},
            headers=HTML,
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
        assert states(admin, "mod@example.org") == [("site", "immediate", "active")]
        refused = admin.client.post(
            "/admin/sites/notify",
            data={"csrf": csrf_of(page.text), "site": "news", "mode": "digest"},
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 403
        assert states(admin, "mod@example.org", site="news") == []
        posted = admin.post_comment("Anything new", name="Bob")
        deliver(admin)
        clock.advance(61)
        deliver(admin)
        message = smtp_sink.wait_for(1)[0]
        assert message["To"] == "mod@example.org" and "Anything new" in text_of(message)
        assert f"#comment-{posted['id']}" in text_of(message)
