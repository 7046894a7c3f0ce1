"""Webhooks end to end, against a real receiver on loopback that verifies signatures with the Standard
Webhooks library: every event type arrives once per subscribed endpoint with its public payload; a rotated
secret signs beside the new one until the overlap ends; a receiver answering 500, hanging or redirecting is
retried with the same webhook-id on the injected clock; after the last attempt the endpoint is disabled and
the site's staff get an email; loopback, link-local and plain-http URLs are refused when subscribing and
when sending."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from litestar.testing import TestClient
from standardwebhooks.webhooks import WebhookVerificationError

from rejoinder.app import create_app
from rejoinder.domain.webhooks import Endpoint, EndpointState
from rejoinder.errors import Forbidden, Invalid, RejoinderError
from rejoinder.moderation.rules import Role
from rejoinder.services import webhooks as service
from rejoinder.store import engine as store_engine
from rejoinder.store import webhooks as store
from tests.fixtures.admin import Admin, Sink, email_settings, settings_for
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.clock import ManualClock
from tests.fixtures.webhooks import Receiver

HOOKS = {
    "allow_private": True,
    # A receiver on loopback answers in milliseconds, but a loaded CI machine can take longer than 0.5 s: a
    # timed-out delivery waits for its retry (the clock is not moved), and the later ones queue behind it.
    "timeout_seconds": 10,
    "retry_base_seconds": 2,
    "retry_max_seconds": 8,
    "max_attempts": 3,
}


def hook_app(db_url: str, clock: ManualClock, **sections: Any) -> Admin:
    settings = settings_for(
        db_url,
        webhooks={**HOOKS, **sections.pop("webhooks", {})},
        server={"public_url": "http://rejoinder.test"},
        **sections,
    )
    app = create_app(settings, clock=clock)
    return Admin(client=TestClient(app=app, base_url="http://rejoinder.test"), app=app)


def subscribe(admin: Admin, url: str, *, site: str = "blog", events: Sequence[str] = ()) -> Endpoint:
    async def go() -> Endpoint:
        site_id = await admin.ctx.sites.scope_named(site)
        assert site_id is not None
        return await service.add_endpoint(admin.ctx, site_id, url, events=events)

    made: Endpoint = admin.run(go)
    return made


def deliver(admin: Admin) -> None:
    dispatcher = admin.app.dispatcher
    assert dispatcher is not None
    admin.run(dispatcher.settle)


def endpoint_now(admin: Admin, endpoint_id: int) -> Endpoint:
    async def go() -> Endpoint | None:
        async with store_engine.read(admin.ctx.engine) as conn:
            return await store.select_endpoint(conn, endpoint_id)

    found: Endpoint | None = admin.run(go)
    assert found is not None
    return found


def log_of(admin: Admin, endpoint_id: int) -> list[tuple[str, int | None, str | None]]:
    """(event id, status, error) of the endpoint's attempts, oldest first."""
    attempts = admin.run(lambda: service.attempts_of(admin.ctx, endpoint_id, site_ids=None))
    return [(a.event_uid, a.status_code, a.error) for a in reversed(attempts)]


def test_every_event_type_arrives_signed_with_its_public_payload(admin_db: str, receiver: Receiver) -> None:
    clock = ManualClock()
    admin = hook_app(admin_db, clock)
    with admin.client:
        hook = subscribe(admin, receiver.url)
        likes_only = subscribe(admin, receiver.url + "?likes", events=["like.created"])
        subscribe(admin, receiver.url + "?news", site="news")  # another site's: hears nothing of blog
        assert hook.secret.startswith("whsec_") and hook.secret != likes_only.secret
        made = admin.post_comment("Hello *there*", name="Ann", author={"email": "ann@example.org"})
        deliver(admin)
        token = {"Rejoinder-Edit-Token": made["edit_token"]}
        edited = admin.client.patch(
            f"/api/comments/{made['id']}", json={"text": "Hello again"}, headers=token
        )
        assert edited.status_code == 200
        deliver(admin)
        visitor = {"Rejoinder-Visitor": "v" * 22, "Origin": ORIGIN}
        assert admin.client.put(f"/api/comments/{made['id']}/like", headers=visitor).status_code == 200
        deliver(admin)
        assert admin.client.delete(f"/api/comments/{made['id']}/like", headers=visitor).status_code == 200
        deliver(admin)
        assert (
            admin.client.put("/api/threads/like", params={"url": ARTICLE}, headers=visitor).status_code == 200
        )
        deliver(admin)
        reported = admin.client.post(
            f"/api/comments/{made['id']}/report", json={"reason": "spam"}, headers={**visitor}
        )
        assert reported.status_code == 201, reported.text
        deliver(admin)
        admin.login()
        assert admin.submit(f"/admin/comments/{made['id']}", {"action": "reject"}).status_code == 303
        deliver(admin)
        assert admin.client.delete(f"/api/comments/{made['id']}", headers=token).status_code == 204
        deliver(admin)
        log = log_of(admin, hook.id)

    mine = [r for r in receiver.received if r.path == "/hook"]
    likes = [r for r in receiver.received if r.path == "/hook?likes"]
    assert [r for r in receiver.received if r.path == "/hook?news"] == []
    bodies = [r.verified(hook.secret) for r in mine]
    types = [b["type"] for b in bodies]
    assert types[:6] == [
        "comment.created",
        "comment.updated",
        "like.created",
        "like.deleted",
        "like.created",
        "report.created",
    ]
    assert "comment.status_changed" in types[6:]
    created = bodies[0]
    thread = {"uri": ARTICLE, "key": None}
    assert created["data"]["id"] == made["id"]
    assert created["data"]["thread"] == thread
    assert created["data"]["author"] == {"name": "Ann", "website": None}
    assert created["data"]["status"] == "published"
    assert set(created["data"]) == {
        "id", "thread", "parent", "status", "author", "text", "html", "created", "edited", "likes", "staff",
        "pinned", "featured",
    }  # fmt: skip
    raw = b"".join(r.body for r in receiver.received)
    assert (
        b"ann@example.org" not in raw and b"edit_token" not in raw and made["edit_token"].encode() not in raw
    )
    assert bodies[2]["data"] == {"target": "comment", "comment_id": made["id"], "thread": thread, "likes": 1}
    assert bodies[4]["data"] == {"target": "article", "comment_id": None, "thread": thread, "likes": 1}
    assert bodies[5]["data"] == {"comment_id": made["id"], "thread": thread, "reason": "spam", "held": False}
    changed = bodies[types.index("comment.status_changed")]
    assert (changed["data"]["status"], changed["data"]["previous_status"]) == ("rejected", "published")
    # Each event has its own id, sent as webhook-id; headers carry what the specification names.
    ids = [r.headers["webhook-id"] for r in mine]
    assert len(set(ids)) == len(ids)
    assert all(r.headers["content-type"] == "application/json" for r in mine)
    assert [b.verified(likes_only.secret)["type"] for b in likes] == ["like.created", "like.created"]
    # One event reaches two endpoints with the same webhook-id.
    assert likes[0].headers["webhook-id"] == ids[2]
    assert [status for _, status, _ in log] == [200] * len(mine)


def test_a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(
    admin_db: str, receiver: Receiver
) -> None:
    clock = ManualClock()
    admin = hook_app(admin_db, clock, webhooks={"rotation_overlap_hours": 0.01})
    with admin.client:
        hook = subscribe(admin, receiver.url)
        rotated = admin.run(lambda: service.rotate_secret(admin.ctx, hook.id, site_ids=None))
        assert rotated.secret != hook.secret and rotated.previous_secret == hook.secret
        assert rotated.previous_until == clock() + 36 * 1_000_000
        admin.post_comment("During the overlap")
        deliver(admin)
        clock.advance(36)
        admin.post_comment("After it")
        deliver(admin)
    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    during.verified(hook.secret)
    during.verified(rotated.secret)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert after.headers["webhook-timestamp"] == str(clock() // 1_000_000)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        after.verified(hook.secret)
    assert after.verified(rotated.secret)["data"]["text"] == "After it"


def test_a_failing_receiver_is_retried_with_the_same_webhook_id(admin_db: str, receiver: Receiver) -> None:
    clock = ManualClock()
    admin = hook_app(admin_db, clock, webhooks={"timeout_seconds": 0.5})  # one answer hangs
    receiver.plan["/hook"] = ["500", "hang", "302 http://127.0.0.1:1/elsewhere"]
    with admin.client:
        hook = subscribe(admin, receiver.url)
        admin.post_comment("Retried")
        deliver(admin)  # 500
        assert len(receiver.received) == 1
        clock.advance(2.9)  # the first retry waits 2 s (±25 %)
        deliver(admin)  # hangs past the 0.5 s timeout
        assert len(receiver.received) == 2
        clock.advance(1)  # the second retry waits 4 s: not due yet
        deliver(admin)
        assert len(receiver.received) == 2
        # The third and last attempt (max_attempts 3) meets a redirect: not followed, so a failure.
        clock.advance(5)
        deliver(admin)
        assert len(receiver.received) == 3
        log = log_of(admin, hook.id)
        state = endpoint_now(admin, hook.id).state
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(ids) == 1
    for request in receiver.received:
        assert request.verified(hook.secret)["data"]["text"] == "Retried"
    [(uid, _, _), *_] = log
    assert uid in ids
    assert [(status, error) for _, status, error in log] == [
        (500, "answered 500"),
        (None, "timeout: no answer within 0.5 s"),
        (302, "answered 302: redirects are not followed (give the final URL)"),
    ]
    assert state is EndpointState.DISABLED


def test_a_receiver_down_for_good_disables_the_endpoint_and_mails_the_staff(
    admin_db: str, receiver: Receiver, smtp_sink: Sink
) -> None:
    clock = ManualClock()
    admin = hook_app(admin_db, clock, email=email_settings(smtp_sink), admin={"email": "root@example.org"})
    receiver.plan["/hook"] = ["500"] * 3  # /hook?fine answers 200
    with admin.client:
        boss = admin.identity("boss", name="Bo", email="boss@example.org")
        admin.grant(boss, Role.ADMIN, "blog")
        hook = subscribe(admin, receiver.url)
        other = subscribe(admin, receiver.url + "?fine")
        admin.post_comment("Nobody hears this one")
        for _ in range(3):
            deliver(admin)
            clock.advance(10)
        deliver(admin)
        found = endpoint_now(admin, hook.id)
        assert found.state is EndpointState.DISABLED
        assert found.disabled_reason is not None and "answered 500" in found.disabled_reason
        assert endpoint_now(admin, other.id).state is EndpointState.ACTIVE
        mails = smtp_sink.wait_for(2)
        assert sorted(str(m["To"]) for m in mails) == ["boss@example.org", "root@example.org"]
        assert all(str(m["Subject"]) == f"[blog] Webhook endpoint disabled: {receiver.url}" for m in mails)
        assert receiver.url in mails[0].get_content() and "answered 500" in mails[0].get_content()
        # Disabled: later events are not sent to it (the other endpoint still gets them), until enabled.
        before = len([r for r in receiver.received if r.path == "/hook"])
        admin.post_comment("After the give-up")
        deliver(admin)
        assert len([r for r in receiver.received if r.path == "/hook"]) == before
        admin.run(lambda: service.set_enabled(admin.ctx, hook.id, True, site_ids=None))
        uid = log_of(admin, hook.id)[0][0]
        admin.run(lambda: service.redeliver(admin.ctx, hook.id, uid, site_ids=None))
        deliver(admin)
        last = receiver.received[-1]
        assert (last.path, last.headers["webhook-id"]) == ("/hook", uid)
        assert last.verified(hook.secret)["data"]["text"] == "Nobody hears this one"
        assert len(smtp_sink.messages) == 2  # one notice per endpoint and give-up


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
    ],
)
def test_urls_to_private_addresses_are_refused_when_subscribing(admin_db: str, url: str) -> None:
    admin = hook_app(admin_db, ManualClock(), webhooks={"allow_private": False})
    with admin.client:
        with pytest.raises(Forbidden) as refused:
            subscribe(admin, url)
        assert refused.value.code == "server-not-public"
        assert admin.run(lambda: service.list_endpoints(admin.ctx, site_ids=None)) == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example/plain", "webhook-url-invalid"),
        ("ftp://hooks.example/x", "webhook-url-invalid"),
        ("https://user:pw@hooks.example/x", "webhook-url-invalid"),
        ("https:///nohost", "webhook-url-invalid"),
        ("https://hooks.example:99999/x", "webhook-url-invalid"),
        ("", "webhook-url-invalid"),
        ("https://does-not-exist.invalid/x", "server-unknown"),
    ],
)
def test_malformed_urls_are_refused_with_their_code(admin_db: str, url: str, code: str) -> None:
    admin = hook_app(admin_db, ManualClock(), webhooks={"allow_private": False})
    with admin.client:
        with pytest.raises(Invalid) as refused:
            subscribe(admin, url)
        assert refused.value.code == code
        assert [e.field for e in refused.value.errors] == ["url"]


def test_unknown_event_types_are_refused(admin_db: str, receiver: Receiver) -> None:
    admin = hook_app(admin_db, ManualClock())
    with admin.client:
        with pytest.raises(Invalid) as refused:
            subscribe(admin, receiver.url, events=["comment.created", "comment.exploded"])
        assert refused.value.code == "webhook-event-unknown"
        assert "comment.exploded" in refused.value.detail


def test_a_private_address_is_refused_again_when_sending(admin_db: str, receiver: Receiver) -> None:
    """An endpoint stored while loopback was allowed (or whose name now resolves to loopback) is not
    contacted: the guard checks the address at every send, and the refusal is logged and retried."""
    clock = ManualClock()
    admin = hook_app(admin_db, clock, webhooks={"allow_private": False})
    with admin.client:

        async def stored() -> Endpoint:
            site_id = await admin.ctx.sites.scope_named("blog")
            assert site_id is not None
            async with store_engine.write(admin.ctx.engine) as conn:
                return await store.insert_endpoint(
                    conn,
                    site_id,
                    url=f"https://localhost:{receiver.port}/hook",
                    events=(service.WebhookType.COMMENT_CREATED,),
                    description="",
                    secret="whsec_" + "A" * 44,
                    now=clock(),
                )

        hook: Endpoint = admin.run(stored)
        admin.post_comment("Not for loopback")
        deliver(admin)
        log = log_of(admin, hook.id)
    assert receiver.received == []
    [(_, status, error)] = log
    assert status is None and error is not None and error.startswith("server-not-public:")


def test_managing_endpoints_of_another_site_is_refused(admin_db: str, receiver: Receiver) -> None:
    admin = hook_app(admin_db, ManualClock())
    with admin.client:
        hook = subscribe(admin, receiver.url, site="news")
        blog = admin.run(lambda: admin.ctx.sites.scope_named("blog"))
        for action in (
            lambda: service.remove_endpoint(admin.ctx, hook.id, site_ids=[blog]),
            lambda: service.rotate_secret(admin.ctx, hook.id, site_ids=[blog]),
            lambda: service.attempts_of(admin.ctx, hook.id, site_ids=[blog]),
            lambda: service.redeliver(admin.ctx, hook.id, "x", site_ids=[blog]),
        ):
            with pytest.raises(RejoinderError) as refused:
                admin.run(action)
            assert refused.value.code == "webhook-not-found"
        with pytest.raises(RejoinderError) as unknown:
            admin.run(lambda: service.redeliver(admin.ctx, hook.id, "no-such-event", site_ids=None))
        assert unknown.value.code == "webhook-delivery-not-found"
        assert [e.id for e in admin.run(lambda: service.list_endpoints(admin.ctx, site_ids=None))] == [
            hook.id
        ]


def _routes_of(admin: Admin, kind: str, subject: str | None) -> set[str]:
    """The handlers the outbox wrote a delivery for, for the event of `kind` about `subject`."""
    import sqlalchemy as sa

    from rejoinder.store.schema import event_deliveries, events

    async def go() -> set[str]:
        async with store_engine.read(admin.ctx.engine) as conn:
            rows = await conn.execute(
                sa.select(event_deliveries.c.handler)
                .join(events, events.c.id == event_deliveries.c.event_id)
                .where(events.c.kind == kind, events.c.subject == subject)
            )
            return {r.handler for r in rows}

    found: set[str] = admin.run(go)
    return found


def test_a_site_without_a_subscribed_endpoint_gets_no_fan_out_delivery(
    admin_db: str, receiver: Receiver
) -> None:
    """The fan-out is asked in the writing transaction whether any active endpoint of the event's site takes
    its type: most sites have none, and their events then cost the webhook route no row, claim or round."""
    admin = hook_app(admin_db, ManualClock())
    with admin.client:
        first = admin.post_comment("Nobody listens yet")
        assert "invalidate" in _routes_of(admin, "comment.posted", first["id"])
        assert "webhooks" not in _routes_of(admin, "comment.posted", first["id"])
        subscribe(admin, receiver.url + "?news", site="news")  # another site's endpoint changes nothing
        likes_only = subscribe(admin, receiver.url + "?likes", events=["like.created"])
        second = admin.post_comment("Still nobody for comments")
        assert "webhooks" not in _routes_of(admin, "comment.posted", second["id"])
        visitor = {"Rejoinder-Visitor": "v" * 22, "Origin": ORIGIN}
        assert admin.client.put(f"/api/comments/{second['id']}/like", headers=visitor).status_code == 200
        assert "webhooks" in _routes_of(admin, "like.added", second["id"])
        deliver(admin)  # fanned out on delivery: to the endpoints subscribed by then
        hook = subscribe(admin, receiver.url)
        third = admin.post_comment("Now someone listens")
        assert "webhooks" in _routes_of(admin, "comment.posted", third["id"])
        deliver(admin)
        assert [s for _, s, _ in log_of(admin, likes_only.id)] == [200]
        assert [s for _, s, _ in log_of(admin, hook.id)] == [200]
    created = [r.verified(hook.secret) for r in receiver.received if r.path == "/hook"]
    assert [(b["type"], b["data"]["id"]) for b in created] == [("comment.created", third["id"])]
    assert [r.verified(likes_only.secret)["type"] for r in receiver.received if r.path == "/hook?likes"] == [
        "like.created"
    ]
