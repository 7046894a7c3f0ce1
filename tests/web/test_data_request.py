"""A guest's data request over HTTP, with a real SMTP server on loopback (aiosmtpd), on SQLite and
PostgreSQL: the request page answers alike for known and unknown addresses and mails only the known one;
the link's page changes nothing; download holds the address's comments; erase removes them (once) with the
thread intact; expired and used links, bad addresses and rate limits are refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.errors import Conflict, DataLinkInvalid
from rejoinder.moderation.actions import ModAction
from rejoinder.services import admin_desk, guest_data, moderation, personal_data
from rejoinder.services.context import Context
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import (
    commenter_notes,
    commenter_warnings,
    email_addresses,
    legal_notices,
    moderation_log,
    notifications,
    premoderated_commenters,
    sites,
    statements,
    subscriptions,
)
from tests.fixtures.admin import Sink, email_settings
from tests.fixtures.admin import smtp_sink as smtp_sink  # the loopback SMTP server fixture
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings
from tests.fixtures.clock import ManualClock
from tests.fixtures.follow import follow
from tests.moderation.test_pipeline import SYSTEM, Peer, call

PUBLIC = "http://rejoinder.test"
LINK = re.compile(r"http://rejoinder\.test(/data-request/open\?token=([A-Za-z0-9_-]+))")
HTML = {"Accept": "text/html"}


@contextmanager
def open_app(db_url: str, sink: Sink, clock: ManualClock) -> Iterator[TestClient[Any]]:
    settings = make_settings(
        db_url,
        moderation={"trusted_proxies": ["127.0.0.1/32"], "magic_link_limit_email": "3/10minutes"},
        email=email_settings(sink),
        server={"public_url": PUBLIC},
    )
    app = create_app(settings, clock=clock)
    with TestClient(app=Peer(app, "127.0.0.1"), base_url=PUBLIC) as client:  # type: ignore[arg-type]
        client.rejoinder = app  # type: ignore[attr-defined]
        yield client


def post(client: TestClient[Any], text: str, name: str, email: str, parent: str | None = None) -> str:
    body: dict[str, Any] = {"url": ARTICLE, "text": text, "author": {"name": name, "email": email}}
    if parent:
        body["parent"] = parent
    response = client.post(
        "/api/comments", json=body, headers={"Origin": ORIGIN, "X-Forwarded-For": "198.51.100.7"}
    )
    assert response.status_code == 201, response.text
    comment_id: str = response.json()["id"]
    return comment_id


def ask(client: TestClient[Any], email: str, ip: str = "203.0.113.9") -> Any:
    return client.post("/data-request", data={"email": email, "lang": "en"}, headers={"X-Forwarded-For": ip})


def thread(client: TestClient[Any]) -> Any:
    return client.get("/api/threads", params={"url": ARTICLE}).json()


class Guests:
    def __init__(self, client: TestClient[Any]) -> None:
        self.asked = post(client, "Where is the map?", "Ann", "ann@example.org")
        self.answer = post(client, "Under the stairs.", "Carl", "carl@example.org", parent=self.asked)
        self.aside = post(client, "Nice photos too.", "Ann", "Ann@Example.org")


@pytest.fixture
def app(site_db: str, smtp_sink: Sink) -> Iterator[tuple[TestClient[Any], Sink, ManualClock, Guests]]:
    clock = ManualClock()
    with open_app(site_db, smtp_sink, clock) as client:
        yield client, smtp_sink, clock, Guests(client)


def test_the_request_page_says_the_same_for_known_and_unknown_addresses(app: Any) -> None:
    client, sink, _, _ = app
    form = client.get("/data-request", headers=HTML)
    assert form.status_code == 200
    assert '<form method="post" action="/data-request">' in form.text
    known = ask(client, "ANN@example.org ")
    assert known.status_code == 200, known.text
    assert len(sink.messages) == 1  # delivered before the page answered
    unknown = ask(client, "nobody@example.org")
    assert unknown.status_code == 200
    assert len(sink.messages) == 1  # nothing mailed to an address no comment was written with
    assert known.text.replace("ann@example.org", "X") == unknown.text.replace("nobody@example.org", "X")
    assert '<strong id="rj-email">ann@example.org</strong>' in known.text
    [message] = sink.messages
    assert message["To"] == "ann@example.org"
    assert message["Subject"] == "Your comments' data on rejoinder.test"
    text = " ".join(message.get_content().split())
    assert text.startswith(
        "Someone asked to download or delete the comments written with this address on rejoinder.test. "
        "To do it, open this link; it works for 15 minutes, and opening it alone changes nothing: "
        "http://rejoinder.test/data-request/open?token="
    )


def test_download_then_erase_through_the_emailed_link(app: Any) -> None:
    client, sink, _, guests = app
    ask(client, "ann@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    path, token = found.group(1), found.group(2)
    for _ in range(2):  # opening changes nothing: a mail scanner may open it first
        page = client.get(path, headers=HTML)
        assert page.status_code == 200
        assert '<strong id="rj-email">ann@example.org</strong>' in page.text
        assert f'name="token" value="{token}"' in page.text

    download = client.post("/data-request/download", data={"token": token})
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="rejoinder-data.json"'
    data = download.json()
    assert (data["format"], data["subject"], data["identity"]) == (
        "rejoinder-personal-data",
        {"email": "ann@example.org"},
        None,
    )
    assert sorted((c["id"], c["text"], c["author_email"]) for c in data["comments"]) == sorted(
        [
            (guests.asked, "Where is the map?", "ann@example.org"),
            (guests.aside, "Nice photos too.", "Ann@Example.org"),
        ]
    )
    assert token not in download.text

    erased = client.post("/data-request/erase", data={"token": token, "comments": "remove", "lang": "en"})
    assert erased.status_code == 200
    assert "Done: nothing on this server leads back to your address any more." in erased.text
    body = thread(client)
    assert body["thread"]["count"] == 1
    assert [(c["id"], c["deleted"], c["text"], c["author"]["name"]) for c in body["comments"]] == [
        (guests.asked, True, "", ""),
        (guests.answer, False, "Under the stairs.", "Carl"),
    ]
    # The link worked once for erasing; afterwards it is refused like any unknown link.
    again = client.get(path, headers=HTML)
    assert again.status_code == 404
    assert "(data-link-invalid)" in again.text
    gone = client.post("/data-request/download", data={"token": token})
    assert gone.status_code == 404 and "(data-link-invalid)" in gone.text


def test_anonymising_keeps_the_text(app: Any) -> None:
    client, sink, _, guests = app
    ask(client, "ann@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    erased = client.post("/data-request/erase", data={"token": found.group(2), "comments": "anonymise"})
    assert erased.status_code == 200
    shown = {c["id"]: (c["text"], c["author"]["name"]) for c in thread(client)["comments"]}
    assert shown == {
        guests.asked: ("Where is the map?", "Deleted user"),
        guests.answer: ("Under the stairs.", "Carl"),
        guests.aside: ("Nice photos too.", "Deleted user"),
    }


def test_an_expired_link_is_refused(app: Any) -> None:
    client, sink, clock, _ = app
    ask(client, "ann@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    clock.advance(client.rejoinder.ctx.settings.auth.email_link_minutes * 60 + 1)
    page = client.get(found.group(1), headers=HTML)
    assert page.status_code == 404 and "(data-link-invalid)" in page.text
    erased = client.post("/data-request/erase", data={"token": found.group(2), "comments": "remove"})
    assert erased.status_code == 404
    assert thread(client)["thread"]["count"] == 3


@pytest.mark.parametrize("token", ["", "short", "x" * 43])
def test_a_made_up_link_is_refused(app: Any, token: str) -> None:
    client, _, _, _ = app
    page = client.get("/data-request/open", params={"token": token}, headers=HTML)
    assert page.status_code == 404 and "(data-link-invalid)" in page.text


def test_a_bad_choice_or_address_is_refused(app: Any) -> None:
    client, sink, _, _ = app
    bad = ask(client, "not an address")
    assert bad.status_code == 422 and "(email-invalid)" in bad.text
    ask(client, "ann@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    refused = client.post("/data-request/erase", data={"token": found.group(2), "comments": "everything"})
    assert refused.status_code == 400 and "(invalid-request)" in refused.text
    assert thread(client)["thread"]["count"] == 3


def test_requests_are_limited_per_address_known_or_not(app: Any) -> None:
    client, sink, _, _ = app
    for address in ("ann@example.org", "nobody@example.org"):
        for n in range(3):
            assert ask(client, address, ip=f"192.0.2.{n + 1}").status_code == 200
        limited = ask(client, address, ip="192.0.2.99")
        assert limited.status_code == 429
        assert "(rate-limited)" in limited.text
    assert len(sink.messages) == 3


def test_requests_are_limited_per_network(app: Any) -> None:
    """moderation.magic_link_limit_ip (5 a minute by default): a sixth address from one client waits."""
    client, _, _, _ = app
    for n in range(5):
        assert ask(client, f"someone{n}@example.org", ip="198.51.100.20").status_code == 200
    limited = ask(client, "someone9@example.org", ip="198.51.100.20")
    assert limited.status_code == 429 and "(rate-limited)" in limited.text
    assert ask(client, "someone9@example.org", ip="203.0.113.50").status_code == 200


def test_the_addresses_subscriptions_are_in_the_download_and_go_with_the_erasure(app: Any) -> None:
    client, sink, _, guests = app

    async def subscribe(ctx: Context) -> None:
        async with store_engine.write(ctx.engine) as conn:
            site_id = int(
                (await conn.execute(sa.select(sites.c.id).where(sites.c.name == "blog"))).scalar_one()
            )
            await follow(conn, site_id, "ann@example.org", comment_id=guests.asked, thread_uri=ARTICLE)
            await follow(conn, site_id, "carl@example.org", comment_id=guests.answer, thread_uri=ARTICLE)

    call(client, subscribe)
    ask(client, "ann@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    data = client.post("/data-request/download", data={"token": found.group(2)}).json()
    assert [(a["site"], a["email"], a["language"]) for a in data["email_addresses"]] == [
        ("blog", "ann@example.org", "en")
    ]
    assert [
        (x["email"], x["kind"], x["comment_id"], x["thread_url"], x["state"]) for x in data["subscriptions"]
    ] == [("ann@example.org", "replies", guests.asked, ARTICLE, "active")]
    erased = client.post("/data-request/erase", data={"token": found.group(2), "comments": "remove"})
    assert erased.status_code == 200

    async def left(ctx: Context) -> list[Any]:
        async with store_engine.read(ctx.engine) as conn:
            query = sa.select(email_addresses.c.email, subscriptions.c.comment_id).select_from(
                subscriptions.join(email_addresses)
            )
            waiting = await conn.execute(sa.select(sa.func.count()).select_from(notifications))
            return [*(tuple(r) for r in await conn.execute(query)), waiting.scalar_one()]

    assert call(client, left) == [("carl@example.org", guests.answer), 0]


def test_statements_and_desk_rows_about_the_guest_are_in_the_download_and_erased(app: Any) -> None:
    client, sink, _, guests = app

    async def moderate(ctx: Context) -> None:
        await moderation.decide(
            ctx, SYSTEM, guests.aside, ModAction.REJECT, reason="off-topic", note="Ann again, off topic"
        )
        await admin_desk.warn(ctx, SYSTEM, guests.asked, "Please stay on topic")
        await admin_desk.add_note(ctx, SYSTEM, guests.asked, "Same person as the spam last week?")
        await admin_desk.set_premoderation(ctx, SYSTEM, guests.asked, on=True)
        await admin_desk.warn(ctx, SYSTEM, guests.answer, "Carl: no shouting")

    call(client, moderate)
    ask(client, "ANN@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    download = client.post("/data-request/download", data={"token": found.group(2)})
    assert download.status_code == 200
    moderation_data = download.json()["moderation"]
    assert [
        (x["site"], x["comment_id"], x["restriction"], x["action"], x["reason_code"], x["facts"])
        for x in moderation_data["statements"]
    ] == [("blog", guests.aside, "removed", "reject", "off-topic", "Ann again, off topic")]
    assert [(w["site"], w["message"]) for w in moderation_data["warnings"]] == [
        ("blog", "Please stay on topic")
    ]
    assert [n["text"] for n in moderation_data["notes"]] == ["Same person as the spam last week?"]
    assert [p["site"] for p in moderation_data["premoderated"]] == ["blog"]
    assert "Carl" not in download.text

    erased = client.post("/data-request/erase", data={"token": found.group(2), "comments": "anonymise"})
    assert erased.status_code == 200

    async def left(ctx: Context) -> list[Any]:
        async with store_engine.read(ctx.engine) as conn:
            return [
                [tuple(r) for r in await conn.execute(query)]
                for query in (
                    sa.select(
                        statements.c.comment_id,
                        statements.c.identity_id,
                        statements.c.facts,
                        statements.c.restriction,
                        statements.c.reason_code,
                    ),
                    sa.select(commenter_warnings.c.message),
                    sa.select(commenter_notes.c.text),
                    sa.select(premoderated_commenters.c.id),
                )
            ]

    assert call(client, left) == [
        [(guests.aside, None, None, "removed", "off-topic")],
        [("Carl: no shouting",)],
        [],
        [],
    ]


def test_a_notifier_without_comments_gets_their_notices_and_erases_themselves(app: Any) -> None:
    client, sink, _, guests = app
    body = {
        "category": "privacy",
        "explanation": "This comment names my street and my house, which I never agreed to.",
        "location": f"{ARTICLE}#comment-{guests.answer}",
        "name": "Nina",
        "email": "nina@example.org",
        "good_faith": True,
    }
    filed = client.post(f"/api/comments/{guests.answer}/legal-notice", json=body, headers={"Origin": ORIGIN})
    assert filed.status_code == 201, filed.text
    sink.wait_for(1)  # the acknowledgement of the notice
    ask(client, "Nina@example.org")
    [_, message] = sink.wait_for(2)
    assert message["To"] == "nina@example.org"  # no comment, but a notice: the address is known
    found = LINK.search(message.get_content())
    assert found
    download = client.post("/data-request/download", data={"token": found.group(2)})
    assert download.status_code == 200, download.text
    data = download.json()
    assert data["comments"] == []
    [notice] = data["legal_notices_filed"]
    assert (notice["id"], notice["comment_id"], notice["notifier_email"], notice["category"]) == (
        filed.json()["id"],
        guests.answer,
        "nina@example.org",
        "privacy",
    )
    erased = client.post("/data-request/erase", data={"token": found.group(2), "comments": "remove"})
    assert erased.status_code == 200, erased.text

    async def left(ctx: Context) -> list[Any]:
        async with store_engine.read(ctx.engine) as conn:
            query = sa.select(
                legal_notices.c.comment_id,
                legal_notices.c.notifier_name,
                legal_notices.c.notifier_email,
                legal_notices.c.category,
            )
            return [tuple(r) for r in await conn.execute(query)]

    assert call(client, left) == [(guests.answer, None, None, "privacy")]


async def _break_the_log(ctx: Context, broken: bool) -> None:
    """Make every write to the moderation log fail (the last step of an erasure), or stop it: a crash part
    way through, made by the database itself."""
    async with store_engine.write(ctx.engine) as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(sa.text("DROP TRIGGER IF EXISTS rj_test_crash"))
            if broken:
                await conn.execute(
                    sa.text(
                        "CREATE TRIGGER rj_test_crash BEFORE INSERT ON moderation_log "
                        "BEGIN SELECT RAISE(ABORT, 'crash'); END"
                    )
                )
            return
        await conn.execute(sa.text("DROP TRIGGER IF EXISTS rj_test_crash ON moderation_log"))
        if broken:
            await conn.execute(
                sa.text(
                    "CREATE OR REPLACE FUNCTION rj_test_crash() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'crash'; END $$"
                )
            )
            await conn.execute(
                sa.text(
                    "CREATE TRIGGER rj_test_crash BEFORE INSERT ON moderation_log "
                    "FOR EACH ROW EXECUTE FUNCTION rj_test_crash()"
                )
            )


def test_erasing_and_using_up_the_link_are_one_transaction(app: Any) -> None:
    """A failure part way through an erasure leaves the comments and the link as they were (the reader
    tries again); two uses of one link at once erase once, and the other is refused."""
    client, sink, _, guests = app
    ask(client, "ann@example.org")
    found = LINK.search(sink.wait_for(1)[0].get_content())
    assert found
    path, token = found.group(1), found.group(2)
    call(client, lambda ctx: _break_the_log(ctx, True))
    try:
        # SQLite reports a trigger's RAISE as a constraint failure (the store's Conflict).
        with pytest.raises((Conflict, sa.exc.DBAPIError)) as failed:
            call(client, lambda ctx: guest_data.erase(ctx, token, personal_data.KeepComments.REMOVE))
        assert "crash" in f"{failed.value} {failed.value.__cause__}"
    finally:
        call(client, lambda ctx: _break_the_log(ctx, False))
    assert thread(client)["thread"]["count"] == 3  # nothing erased
    assert client.get(path, headers=HTML).status_code == 200  # and the link still works

    async def twice(ctx: Context) -> list[Any]:
        async def one() -> Any:
            return await guest_data.erase(ctx, token, personal_data.KeepComments.REMOVE)

        return list(await asyncio.gather(one(), one(), return_exceptions=True))

    first, second = sorted(call(client, twice), key=lambda r: isinstance(r, Exception))
    assert first == personal_data.Erased(
        comments_removed=2, comments_anonymised=0, likes_removed=0, identity_deleted=False
    )
    assert isinstance(second, DataLinkInvalid)
    body = thread(client)
    assert body["thread"]["count"] == 1
    assert [c["id"] for c in body["comments"] if not c["deleted"]] == [guests.answer]
    erases = call(client, _erase_log)
    assert erases == 1
    again = client.post("/data-request/erase", data={"token": token, "comments": "remove"})
    assert again.status_code == 404 and "(data-link-invalid)" in again.text


async def _erase_log(ctx: Context) -> int:
    async with store_engine.read(ctx.engine) as conn:
        query = (
            sa.select(sa.func.count()).select_from(moderation_log).where(moderation_log.c.action == "erase")
        )
        return int((await conn.execute(query)).scalar_one())
