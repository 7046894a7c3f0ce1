"""What moderators do, through services/moderation/ on SQLite and PostgreSQL: decisions and their effect
on the page and counts, reports resolved, marks, roles (and who may grant them), bans that reject all of an
author's comments, queues with filters and paging, the append-only log, and the decision sink."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from rejoinder.domain.identity import Profile
from rejoinder.errors import Forbidden, Invalid, NotFound
from rejoinder.events.kinds import EventKind
from rejoinder.moderation.actions import Actor, ModAction
from rejoinder.moderation.queue import Queue, cursor_of
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts
from rejoinder.services import moderation as service
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import events
from tests.fixtures.app import run_cli
from tests.moderation.test_pipeline import (
    SYSTEM,
    call,
    ctx_of,
    moderated_client,
    post,
    shown_ids,
    thread_count,
)


def identity(client: Any, subject: str) -> str:
    profile = Profile(
        provider="test", subject=subject, name=subject.title(), email=None, email_verified=False
    )
    outcome = call(client, lambda ctx: accounts.sign_in_with_profile(ctx, profile, label="Test"))
    assert outcome.identity is not None
    return outcome.identity.id


def site_id(client: Any, name: str = "blog") -> int:
    site = call(client, lambda ctx: ctx.sites.by_name(name))
    assert site is not None
    return site.id


def test_decisions_change_what_readers_see_and_the_counts(site_db: str) -> None:
    with moderated_client(site_db, premoderation="all") as client:
        held = post(client, "Waiting for a moderator").json()
        assert (held["status"], shown_ids(client), thread_count(client)) == ("pending", [], 0)
        approved = call(client, lambda ctx: service.decide(ctx, SYSTEM, held["id"], ModAction.APPROVE))
        assert approved.status.value == "approved" and approved.moderated_by == "test"
        assert (shown_ids(client), thread_count(client)) == ([held["id"]], 1)
        rejected = call(
            client,
            lambda ctx: service.decide(
                ctx, SYSTEM, held["id"], ModAction.REJECT, reason="off-topic", note="Not about this"
            ),
        )
        assert (rejected.status.value, rejected.status_reason) == ("rejected", "off-topic")
        assert (shown_ids(client), thread_count(client)) == ([], 0)
        assert service.reason_text("off-topic") == "It is off topic for this discussion."
        call(client, lambda ctx: service.decide(ctx, SYSTEM, held["id"], ModAction.SPAM))
        call(client, lambda ctx: service.decide(ctx, SYSTEM, held["id"], ModAction.APPROVE))
        call(client, lambda ctx: service.decide(ctx, SYSTEM, held["id"], ModAction.DELETE))
        assert thread_count(client) == 0
        with pytest.raises(NotFound):
            call(client, lambda ctx: service.decide(ctx, SYSTEM, held["id"], ModAction.APPROVE))
        with pytest.raises(Invalid):
            call(client, lambda ctx: service.decide(ctx, SYSTEM, "x", ModAction.REJECT, reason="dull"))
        log = call(client, lambda ctx: service.moderation_log(ctx, SYSTEM))
        assert [e["action"] for e in reversed(log)] == ["approve", "reject", "spam", "approve", "delete"]
        assert log[-2]["reason_code"] == "off-topic" and log[-2]["note"] == "Not about this"
        assert log[-1]["data"] == {"before": "pending", "after": "approved"}


def test_only_moderators_of_the_site_may_act(db_url: str) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", "https://blog.example")
    run_cli(db_url, "site", "add", "shop", "--origin", "https://shop.example")
    with moderated_client(db_url) as client:
        made = post(client, "On the blog").json()
        mod_id, reader_id = identity(client, "moira"), identity(client, "reader")
        blog, shop = site_id(client, "blog"), site_id(client, "shop")
        call(
            client,
            lambda ctx: service.set_role(ctx, SYSTEM, mod_id, Role.MODERATOR, site_id=shop, granted=True),
        )
        shop_mod = call(client, lambda ctx: service.actor_for(ctx, mod_id))
        reader = call(client, lambda ctx: service.actor_for(ctx, reader_id))
        for actor in (shop_mod, reader):  # a moderator of another site, a plain reader
            with pytest.raises(Forbidden) as refused:
                call(client, lambda ctx, a=actor: service.decide(ctx, a, made["id"], ModAction.REJECT))
            assert refused.value.code == "not-a-moderator"
            with pytest.raises(Forbidden):
                call(client, lambda ctx, a=actor: service.list_queue(ctx, a, Queue.UNMODERATED, site_id=blog))
        # A moderator may trust commenters, but only an admin appoints moderators.
        call(
            client,
            lambda ctx: service.set_role(ctx, SYSTEM, mod_id, Role.MODERATOR, site_id=blog, granted=True),
        )
        blog_mod = call(client, lambda ctx: service.actor_for(ctx, mod_id))
        assert call(
            client,
            lambda ctx: service.set_role(ctx, blog_mod, reader_id, Role.TRUSTED, site_id=blog, granted=True),
        )
        with pytest.raises(Forbidden) as refused:
            call(
                client,
                lambda ctx: service.set_role(
                    ctx, blog_mod, reader_id, Role.MODERATOR, site_id=blog, granted=True
                ),
            )
        assert refused.value.code == "not-an-admin"
        call(client, lambda ctx: service.decide(ctx, blog_mod, made["id"], ModAction.REJECT, reason="spam"))
        assert shown_ids(client) == []
        with pytest.raises(NotFound):
            call(
                client,
                lambda ctx: service.set_role(ctx, SYSTEM, "nobody", Role.TRUSTED, site_id=blog, granted=True),
            )


def test_trusted_commenters_and_staff_skip_premoderation(site_db: str) -> None:
    with moderated_client(site_db, premoderation="all") as client:
        trusted_id, staff_id = identity(client, "tess"), identity(client, "stan")
        blog = site_id(client)
        call(
            client,
            lambda ctx: service.set_role(ctx, SYSTEM, trusted_id, Role.TRUSTED, site_id=blog, granted=True),
        )
        call(
            client,
            lambda ctx: service.set_role(ctx, SYSTEM, staff_id, Role.ADMIN, site_id=None, granted=True),
        )
        tokens = {}
        for who in ("tess", "stan"):
            profile = Profile(
                provider="test", subject=who, name=who.title(), email=None, email_verified=False
            )
            tokens[who] = call(
                client, lambda ctx, p=profile: accounts.sign_in_with_profile(ctx, p, label="Test")
            ).token

        def as_(who: str, text: str) -> Any:
            return client.post(
                "/api/comments",
                json={"url": "https://blog.example/2026/11/a-post", "text": text},
                headers={"Authorization": f"Bearer {tokens[who]}", "X-Forwarded-For": "192.0.2.1"},
            )

        assert as_("tess", "Trusted words").json()["status"] == "published"
        staff = as_("stan", "Staff words").json()
        assert staff["status"] == "published"
        assert post(client, "A guest's words").json()["status"] == "pending"
        detail = call(client, lambda ctx: service.comment_detail(ctx, SYSTEM, staff["id"]))
        assert detail.comment.staff is True


def test_a_ban_with_reject_all_removes_the_authors_comments(site_db: str) -> None:
    with moderated_client(site_db) as client:
        mine = [
            post(
                client,
                f"Troll comment number {n} with plenty of words",
                author={"name": "T", "email": "t@example.org"},
            ).json()
            for n in range(3)
        ]
        other = post(
            client, "A fine comment", ip="192.0.2.5", author={"name": "F", "email": "f@example.org"}
        ).json()
        blog = site_id(client)
        result = call(
            client,
            lambda ctx: service.ban(
                ctx, SYSTEM, site_id=blog, email="T@example.org", reject_all=True, reason="trolling"
            ),
        )
        assert result.rejected == 3
        assert (shown_ids(client), thread_count(client)) == ([other["id"]], 1)
        refused = post(client, "I am back", author={"name": "T2", "email": "t@example.org"})
        assert refused.json()["code"] == "author-banned"
        call(client, lambda ctx: service.lift_ban(ctx, SYSTEM, result.id))
        assert (
            post(client, "I am back and polite", author={"name": "T2", "email": "t@example.org"}).status_code
            == 201
        )
        with pytest.raises(Invalid):
            call(client, lambda ctx: service.ban(ctx, SYSTEM, site_id=blog))
        with pytest.raises(Invalid):
            call(client, lambda ctx: service.ban(ctx, SYSTEM, site_id=blog, ip_range="not-an-ip"))
        assert [c["id"] for c in mine]  # kept for the record


def test_queues_filter_and_page(site_db: str) -> None:
    with moderated_client(site_db, max_links=0) as client:
        published = [post(client, f"Published comment number {n} with words").json() for n in range(5)]
        held = [post(client, f"Held https://x{n}.example").json() for n in range(3)]
        counts = call(client, lambda ctx: service.queue_counts(ctx, SYSTEM))
        assert counts == {"reported": 0, "pending": 3, "unmoderated": 5, "approved": 0, "rejected": 0}
        pending = call(client, lambda ctx: service.list_queue(ctx, SYSTEM, Queue.PENDING))
        assert [c.id for c in pending] == [c["id"] for c in held]  # oldest first
        assert all(c.status_reason == "too-many-links" for c in pending)
        first = call(client, lambda ctx: service.list_queue(ctx, SYSTEM, Queue.UNMODERATED, limit=2))
        assert [c.id for c in first] == [published[4]["id"], published[3]["id"]]  # newest first
        rest = call(
            client,
            lambda ctx: service.list_queue(
                ctx, SYSTEM, Queue.UNMODERATED, limit=10, before=cursor_of(first[-1])
            ),
        )
        assert [c.id for c in rest] == [p["id"] for p in reversed(published[:3])]
        by_thread = call(
            client,
            lambda ctx: service.list_queue(
                ctx, SYSTEM, Queue.UNMODERATED, thread_id=first[0].thread_id + 999
            ),
        )
        assert by_thread == []
        mine = call(
            client,
            lambda ctx: service.list_queue(ctx, SYSTEM, Queue.UNMODERATED, author_key=first[0].author_key),
        )
        assert len(mine) == 5
        with pytest.raises(Invalid):
            call(client, lambda ctx: service.list_queue(ctx, SYSTEM, Queue.PENDING, limit=0))
        with pytest.raises(Invalid):
            call(client, lambda ctx: service.list_queue(ctx, SYSTEM, Queue.PENDING, before="nonsense"))


def test_marks_and_closing_are_logged(site_db: str) -> None:
    with moderated_client(site_db) as client:
        made = post(client, "Pin me").json()
        call(client, lambda ctx: service.mark(ctx, SYSTEM, made["id"], ModAction.PIN))
        call(client, lambda ctx: service.mark(ctx, SYSTEM, made["id"], ModAction.FEATURE))
        detail = call(client, lambda ctx: service.comment_detail(ctx, SYSTEM, made["id"]))
        assert (detail.comment.pinned, detail.comment.featured) == (True, True)
        assert detail.standing.counts == {"published": 1}
        call(client, lambda ctx: service.mark(ctx, SYSTEM, made["id"], ModAction.UNPIN))
        call(
            client, lambda ctx: service.set_thread_closed(ctx, SYSTEM, detail.comment.thread_id, closed=True)
        )
        log = call(client, lambda ctx: service.moderation_log(ctx, SYSTEM))
        assert [(e["action"], e["target_kind"]) for e in reversed(log)] == [
            ("pin", "comment"),
            ("feature", "comment"),
            ("unpin", "comment"),
            ("close", "thread"),
        ]


class Sink:
    """A stand-in decision sink (the same Protocol as services.moderation.learning.ClassifierSink)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str, str]] = []
        self.events: list[str] = []

    async def decided(self, ctx: Context, decision: service.Decision) -> bool:
        self.seen.append((decision.comment.site_id, decision.comment.text, decision.action.value))
        self.events.append(decision.event_uid)
        return True

    def refresh_if_due(self, ctx: Context) -> None:
        pass

    async def close(self) -> None:
        pass


def test_decisions_reach_the_decision_sink(site_db: str) -> None:
    # With the classifier on, the app registers the outbox handler that hands decisions to the sink.
    with moderated_client(site_db, classifier=True) as client:
        sink = Sink()
        ctx: Context = ctx_of(client)
        assert ctx.moderation is not None
        ctx.moderation.sink = sink
        made = post(client, "Learn from me").json()
        call(client, lambda ctx: service.decide(ctx, SYSTEM, made["id"], ModAction.SPAM))
        call(client, lambda ctx: service.mark(ctx, SYSTEM, made["id"], ModAction.PIN))
        # The sink learns when the outbox delivers the decision's event.
        call(client, lambda ctx: client.rejoinder.dispatcher.settle())  # type: ignore[attr-defined]
        assert sink.seen == [(site_id(client), "Learn from me", "spam")]
        assert sink.events == call(client, status_event_uids)  # keyed by the decision's event


async def status_event_uids(ctx: Context) -> list[str]:
    async with store_engine.read(ctx.engine) as conn:
        query = sa.select(events.c.uid).where(events.c.kind == EventKind.COMMENT_STATUS_CHANGED.value)
        return list((await conn.execute(query)).scalars())


def test_an_actor_without_roles_sees_no_queue(site_db: str) -> None:
    with moderated_client(site_db) as client, pytest.raises(Forbidden):
        call(client, lambda ctx: service.queue_counts(ctx, Actor(id="someone")))
