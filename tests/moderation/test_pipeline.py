"""The moderation pipeline over HTTP on SQLite and PostgreSQL: what the writer is answered (201 published or
pending with a reason; precise 4xx refusals; one generic refusal for bot traps), what readers see, and what
is recorded on the comment's revision. Helpers here are shared by the other moderation tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from litestar.testing import TestClient

from rejoinder.app import Rejoinder, create_app
from rejoinder.moderation.actions import Actor
from rejoinder.services import moderation as service
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store import moderation as store
from tests.fixtures.app import ARTICLE, advance_clock, make_settings

T = TypeVar("T")
CLIENT_IP = "198.51.100.7"
SYSTEM = Actor.of_system("test")


class Peer:
    """The app as seen from a TCP peer at `host` (Litestar's TestClient otherwise says "testclient"), so
    that trusted-proxy handling and per-network rules apply as behind a real reverse proxy."""

    def __init__(self, app: Rejoinder, host: str) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": (self.host, 40000)}
        await self.app(scope, receive, send)


@contextmanager
def moderated_client(
    db_url: str, classifier: bool = False, images: dict[str, Any] | None = None, **moderation: Any
) -> Iterator[TestClient[Any]]:
    """An app whose only peer is a trusted proxy at 127.0.0.1, so that tests choose each request's client
    address with X-Forwarded-For; `images`: its [images] settings (where uploads are stored)."""
    settings = make_settings(
        db_url,
        classifier=classifier,
        moderation={"trusted_proxies": ["127.0.0.1/32"], **moderation},
        **({"images": images} if images else {}),
    )
    app = create_app(settings)
    with TestClient(app=Peer(app, "127.0.0.1"), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        client.rejoinder = app  # type: ignore[attr-defined]
        yield client


def ctx_of(client: TestClient[Any]) -> Context:
    ctx = client.rejoinder.ctx  # type: ignore[attr-defined]
    assert isinstance(ctx, Context)
    return ctx


def call(client: TestClient[Any], fn: Callable[[Context], Awaitable[T]]) -> T:
    """Run a service call on the app's own event loop (its connections live there)."""

    async def go() -> T:
        return await fn(ctx_of(client))

    with client.portal() as portal:
        return portal.call(go)


def post(client: TestClient[Any], text: str, *, ip: str = CLIENT_IP, name: str = "Ann", **fields: Any) -> Any:
    body: dict[str, Any] = {"url": ARTICLE, "text": text, "author": {"name": name}}
    body.update(fields)
    return client.post("/api/comments", json=body, headers={"X-Forwarded-For": ip})


def shown_ids(client: TestClient[Any]) -> list[str]:
    response = client.get("/api/threads", params={"url": ARTICLE, "limit": 100})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["comments"]]


def thread_count(client: TestClient[Any]) -> int:
    return int(client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["count"])


def revisions(client: TestClient[Any], comment_id: str) -> list[Any]:
    async def go(ctx: Context) -> list[Any]:
        async with store_engine.read(ctx.engine) as conn:
            return await store.select_revisions(conn, comment_id)

    return call(client, go)


LONG = "I think the council should publish the full budget before the vote next week."


# ---------------------------------------------------------------------------------------------------------


def test_an_ordinary_comment_is_published_and_its_checks_recorded(site_db: str) -> None:
    with moderated_client(site_db, classifier=True) as client:
        made = post(client, LONG)
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["status"] == "published"
        assert "reason" not in body
        assert shown_ids(client) == [body["id"]]
        [rev] = revisions(client, body["id"])
        assert (rev.revision, rev.decision, rev.status, rev.reasons) == (0, "pass", "published", [])
        assert rev.text == LONG
        # the app's own classifier (the built-in model) scored it, and found nothing wrong
        assert rev.spam_score is not None and rev.abuse_score is not None
        assert rev.spam_score < 0.2 and rev.abuse_score < 0.2
        assert 0 < rev.elapsed_us < 1_000_000


def test_a_held_comment_answers_201_pending_with_a_reason_and_stays_off_the_page(site_db: str) -> None:
    with moderated_client(site_db, max_links=1) as client:
        text = "Sources: https://a.example/1 and https://b.example/2"
        made = post(client, text)
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["status"] == "pending"
        assert body["reason"] == "Comments with more than 1 link wait for a moderator."
        assert shown_ids(client) == []
        assert thread_count(client) == 0
        [rev] = revisions(client, body["id"])
        assert (rev.decision, rev.status) == ("hold", "pending")
        assert [r["code"] for r in rev.reasons] == ["too-many-links"]
        detail = call(client, lambda ctx: service.comment_detail(ctx, SYSTEM, body["id"]))
        assert detail.comment.status_reason == "too-many-links"


def test_blocked_words_hidden_with_look_alikes_zero_width_and_spacing_are_refused(site_db: str) -> None:
    with moderated_client(site_db, blocked_words=["viagra"]) as client:
        for text in ("Buy vіаgrа now", "Buy v\u200bi\u200ba\u200bg\u200br\u200ba now", "Buy V I A G R A now"):
            refused = post(client, text)
            assert refused.status_code == 422, text
            problem = refused.json()
            assert problem["code"] == "comment-rejected"
            assert problem["errors"][0]["field"] == "text"
            assert problem["errors"][0]["code"] == "blocked-word"
            assert "rephrase" in problem["detail"]
        assert shown_ids(client) == []
        assert post(client, "Via Agra, the old road.").status_code == 201


def test_a_repeated_post_is_refused(site_db: str) -> None:
    with moderated_client(site_db) as client:
        assert post(client, LONG).status_code == 201
        again = post(client, LONG + " ")
        assert again.status_code == 422
        assert again.json()["errors"][0]["code"] == "repeated-comment"
        # The same text from another network and name is someone else's comment.
        assert post(client, LONG, ip="192.0.2.50", name="Bob").status_code == 201


def test_links_to_blocked_domains_are_refused(site_db: str) -> None:
    with moderated_client(site_db, blocked_domains=["pills.example"]) as client:
        refused = post(client, "Great deals at https://www.pills.example/offer")
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["code"] == "blocked-link"
        assert post(client, "Read https://news.example/story").status_code == 201


def test_honeypot_and_too_fast_submissions_get_one_generic_refusal(site_db: str) -> None:
    with moderated_client(site_db, min_seconds=2) as client:
        trapped = post(client, "Hello from a form", honeypot="http://seo.example")
        token = client.get("/api/form-token")
        assert token.status_code == 200
        assert token.headers["cache-control"] == "no-store"
        fast = post(client, "Hello from a quick form", form_token=token.json()["token"])
        forged = post(client, "Hello from a forged form", form_token="1700000000000.not-a-real-mac")
        for response in (trapped, fast, forged):
            assert response.status_code == 403, response.text
            problem = response.json()
            assert problem["code"] == "comment-refused"
            assert "errors" not in problem  # nothing that tells a bot which trap it hit
        assert {r.json()["detail"] for r in (trapped, fast, forged)} == {trapped.json()["detail"]}
        advance_clock(client, 2.1)  # the form is now old enough, without waiting for it
        slow = post(client, "Hello after reading the article", form_token=token.json()["token"])
        assert slow.status_code == 201, slow.text
        assert shown_ids(client) == [slow.json()["id"]]


def test_a_required_form_token_refuses_comments_without_one(site_db: str) -> None:
    with moderated_client(site_db, require_form_token=True, min_seconds=0) as client:
        assert post(client, "No token here").json()["code"] == "comment-refused"
        token = client.get("/api/form-token").json()["token"]
        assert post(client, "With a token", form_token=token).status_code == 201


def test_a_nudge_asks_for_a_revision_and_confirm_posts_it_for_review(site_db: str) -> None:
    with moderated_client(site_db, suspect_words=["stupid"], suspect_action="nudge") as client:
        nudged = post(client, "That plan is stupid")
        assert nudged.status_code == 422
        assert nudged.json()["code"] == "comment-needs-revision"
        assert nudged.json()["errors"][0]["code"] == "suspect-word"
        confirmed = post(client, "That plan is stupid", confirm=True)
        assert confirmed.status_code == 201
        assert confirmed.json()["status"] == "pending"
        assert post(client, "That plan is unwise").json()["status"] == "published"


def test_banned_identity_email_and_network_are_refused(site_db: str) -> None:
    with moderated_client(site_db) as client:
        site = call(client, lambda ctx: ctx.sites.by_name("blog"))
        assert site is not None
        call(client, lambda ctx: service.ban(ctx, SYSTEM, site_id=site.id, email="Troll@Example.org"))
        call(client, lambda ctx: service.ban(ctx, SYSTEM, site_id=site.id, ip_range="203.0.113.0/24", days=2))
        by_email = post(client, "Hello", author={"name": "T", "email": "troll@example.ORG"})
        by_network = post(client, "Hello", ip="203.0.113.200")
        for refused in (by_email, by_network):
            assert refused.status_code == 403
            assert refused.json()["code"] == "author-banned"
        assert "until" in by_network.json()["detail"]
        assert post(client, "Hello", ip="203.0.114.1").status_code == 201


def test_a_closed_thread_refuses_comments_until_reopened(site_db: str) -> None:
    with moderated_client(site_db) as client:
        first = post(client, "First!").json()
        thread_id = call(
            client, lambda ctx: service.comment_detail(ctx, SYSTEM, first["id"])
        ).comment.thread_id
        call(client, lambda ctx: service.set_thread_closed(ctx, SYSTEM, thread_id, closed=True))
        refused = post(client, "Second")
        assert refused.status_code == 403
        assert refused.json()["code"] == "thread-closed"
        call(client, lambda ctx: service.set_thread_closed(ctx, SYSTEM, thread_id, closed=False))
        assert post(client, "Second").status_code == 201


def test_an_edit_runs_the_checks_again(site_db: str) -> None:
    with moderated_client(site_db, blocked_words=["casino"], max_links=0) as client:
        made = post(client, "An innocent first version").json()
        token = {"Rejoinder-Edit-Token": made["edit_token"], "X-Forwarded-For": CLIENT_IP}
        refused = client.patch(f"/api/comments/{made['id']}", json={"text": "Visit my c4sino"}, headers=token)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["code"] == "blocked-word"
        held = client.patch(
            f"/api/comments/{made['id']}", json={"text": "See https://x.example"}, headers=token
        )
        assert held.status_code == 200
        assert held.json()["status"] == "pending"
        assert shown_ids(client) == []
        assert thread_count(client) == 0
        revs = revisions(client, made["id"])
        assert [(r.revision, r.decision) for r in revs] == [(0, "pass"), (1, "hold")]
        assert revs[0].text == "An innocent first version"


def test_site_overrides_apply_to_that_site_only(db_url: str) -> None:
    from tests.fixtures.app import run_cli

    run_cli(db_url, "site", "add", "blog", "--origin", "https://blog.example")
    run_cli(db_url, "site", "add", "shop", "--origin", "https://shop.example")
    with moderated_client(db_url) as client:
        from rejoinder.domain.sites import SiteModeration, SiteOptions
        from rejoinder.services import sites as site_service

        call(
            client,
            lambda ctx: site_service.update_site(
                ctx.engine,
                "shop",
                add_origins=[],
                remove_origins=[],
                options=SiteOptions(
                    moderation=SiteModeration(premoderation="all", blocked_words=("refund",))
                ),
            ),
        )
        call(client, lambda ctx: ctx.sites.load())
        assert post(client, "Where is my refund?").json()["status"] == "published"
        shop = "https://shop.example/item/1"
        assert post(client, "Nice item", url=shop).json()["status"] == "pending"
        assert post(client, "Where is my refund?", url=shop).json()["errors"][0]["code"] == "blocked-word"


def test_moderation_can_be_turned_off(site_db: str) -> None:
    with moderated_client(site_db, enabled=False, blocked_words=["viagra"]) as client:
        posted = post(client, "viagra", honeypot="x")
        assert posted.status_code == 201, posted.text
        assert posted.json()["status"] == "published"
        assert shown_ids(client) == [posted.json()["id"]]


@pytest.mark.parametrize("disabled", ["words", "honeypot"])
def test_a_check_left_out_of_the_list_does_not_run(site_db: str, disabled: str) -> None:
    checks = [c for c in ("limits", "honeypot", "repeats", "links", "words") if c != disabled]
    with moderated_client(site_db, checks=checks, blocked_words=["viagra"]) as client:
        response = post(
            client,
            "viagra" if disabled == "words" else "hello",
            honeypot="x" if disabled == "honeypot" else None,
        )
        assert response.status_code == 201, response.text
        assert shown_ids(client) == [response.json()["id"]]
