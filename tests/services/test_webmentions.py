"""Webmention end to end over real HTTP on loopback, on SQLite and PostgreSQL: rejoinder receiving from pages
of a small web server of our own (a reply becomes a moderated comment shown under the article with its source,
a like counts, an update re-verifies, a 410 or a page no longer linking removes it, an oversize or internal
source is refused) and rejoinder sending to the endpoints those pages advertise, discovered every way the
specification allows (Link header, <link>, <a>, relative URLs, redirects, several endpoints, an empty href),
retried on the injected clock."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.domain.webmentions import SendState, WebmentionKind, WebmentionState
from rejoinder.store import engine as store_engine
from rejoinder.store import webmentions as store
from rejoinder.store.webmentions import Received, Sending
from tests.fixtures.admin import HTML, Admin, settings_for
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.clock import ManualClock
from tests.fixtures.webmention_pages import Web

WEBMENTION = {"allow_private": True, "retry_base_seconds": 5, "retry_max_seconds": 20, "max_attempts": 3}
PUBLIC = "http://rejoinder.test"


def open_app(db_url: str, clock: ManualClock, **sections: Any) -> Admin:
    settings = settings_for(
        db_url,
        webmention={**WEBMENTION, **sections.pop("webmention", {})},
        server={"public_url": PUBLIC},
        **sections,
    )
    app = create_app(settings, clock=clock)
    return Admin(client=TestClient(app=app, base_url=PUBLIC), app=app)


@pytest.fixture
def wm_db(db_url: str) -> str:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN, "--send-webmentions")
    return db_url


def deliver(admin: Admin) -> None:
    dispatcher = admin.app.dispatcher
    assert dispatcher is not None
    admin.run(dispatcher.settle)


def mention(admin: Admin, source: str, target: str = ARTICLE) -> Received:
    async def go() -> Received | None:
        async with store_engine.read(admin.ctx.engine) as conn:
            return await store.select_received_pair(conn, source, target)

    found: Received | None = admin.run(go)
    assert found is not None
    return found


def sends(admin: Admin, comment_id: str) -> list[Sending]:
    async def go() -> list[Sending]:
        async with store_engine.read(admin.ctx.engine) as conn:
            return await store.select_sends_of(conn, comment_id)

    result: list[Sending] = admin.run(go)
    return result


def send_webmention(admin: Admin, source: str, target: str = ARTICLE) -> Any:
    return admin.client.post("/webmention", data={"source": source, "target": target})


def thread(admin: Admin) -> Any:
    response = admin.client.get("/api/threads", params={"url": ARTICLE})
    assert response.status_code == 200, response.text
    return response.json()


def reply_page(text: str, *, target: str = ARTICLE, kind: str = "u-in-reply-to", author: str = "Beth") -> str:
    return f"""<!doctype html><html><head><title>A reply</title></head><body>
<article class="h-entry">
  <a class="p-author h-card" href="https://beth.example/">{author}</a>
  <a class="{kind}" href="{target}">the article</a>
  <div class="e-content">{text}</div>
</article></body></html>"""


# --- receiving ------------------------------------------------------------------------------------------


def test_a_reply_becomes_a_moderated_comment_that_follows_its_source(wm_db: str, web: Web) -> None:
    clock = ManualClock()
    admin = open_app(wm_db, clock)
    source = web.page("/reply", reply_page("Nice <b>post</b>, <script>alert(1)</script>I agree."))
    with admin.client:
        answer = send_webmention(admin, source)
        assert answer.status_code == 202, answer.text
        assert answer.json() == {"status": "accepted", "source": source, "target": ARTICLE}
        # The request only records the mention; verifying it is the outbox's work, which the app's own
        # dispatcher may already be doing by now (so neither its state nor the fetch is asserted here).
        assert (mention(admin, source).source, mention(admin, source).target) == (source, ARTICLE)
        deliver(admin)
        got = mention(admin, source)
        assert (got.state, got.kind, got.author_name) == (
            WebmentionState.VERIFIED,
            WebmentionKind.REPLY,
            "Beth",
        )
        assert got.author_url == "https://beth.example/" and got.comment_id is not None
        [comment] = thread(admin)["comments"]
        assert comment["id"] == got.comment_id
        assert comment["author"]["name"] == "Beth"
        # Plain text only: the source's markup is not taken (the script's text is, as inert text).
        assert "<b>" not in comment["html"] and "<script" not in comment["html"]
        assert "Nice post" in comment["html"] and "I agree." in comment["html"]
        assert f'href="{source}"' in comment["html"] and "127.0.0.1" in comment["html"]  # via the source site
        # /admin shows where it came from.
        admin.login()
        page = admin.client.get(f"/admin/comments/{got.comment_id}", headers=HTML)
        assert page.status_code == 200
        assert "Webmention from" in page.text and f'href="{source}"' in page.text

        # The source changes and is sent again: the comment follows.
        web.page("/reply", reply_page("Changed my mind."))
        assert send_webmentions_again(admin, source) == 202
        deliver(admin)
        [comment] = thread(admin)["comments"]
        assert "Changed my mind." in comment["html"] and comment["id"] == got.comment_id

        # Then it is deleted (410): the comment goes.
        web.page("/reply", "gone", status=410)
        assert send_webmentions_again(admin, source) == 202
        deliver(admin)
        assert mention(admin, source).state is WebmentionState.REMOVED
        body = thread(admin)
        assert body["comments"] == [] or all(c["status"] == "deleted" for c in body["comments"])
        assert admin.status_of(got.comment_id) == "deleted"


def send_webmentions_again(admin: Admin, source: str) -> int:
    status: int = send_webmention(admin, source).status_code
    return status


def test_a_like_counts_and_goes_when_the_source_stops_linking(wm_db: str, web: Web) -> None:
    admin = open_app(wm_db, ManualClock())
    like = web.page("/like", reply_page("", kind="u-like-of", author="Cy"))
    repost = web.page("/repost", reply_page("", kind="u-repost-of", author="Di"))
    with admin.client:
        assert send_webmention(admin, like).status_code == 202
        assert send_webmention(admin, repost).status_code == 202
        deliver(admin)
        assert mention(admin, like).kind is WebmentionKind.LIKE
        assert mention(admin, repost).kind is WebmentionKind.REPOST
        body = thread(admin)
        likes = body["thread"]["likes"]
        assert likes["count"] == 2 and body["comments"] == []
        assert sorted(r["name"] for r in likes["recent"]) == ["Cy", "Di"]
        web.page("/like", "<p>I no longer link there.</p>")
        assert send_webmention(admin, like).status_code == 202
        deliver(admin)
        assert mention(admin, like).state is WebmentionState.REMOVED
        assert thread(admin)["thread"]["likes"]["count"] == 1


def test_a_mention_is_kept_and_not_shown(wm_db: str, web: Web) -> None:
    admin = open_app(wm_db, ManualClock())
    source = web.page("/m", f'<p>Read <a href="{ARTICLE}#part-2">this</a>.</p>')
    plain = web.page("/m.txt", f"see {ARTICLE}", content_type="text/plain")
    with admin.client:
        send_webmention(admin, source)
        send_webmention(admin, plain)
        deliver(admin)
        assert (mention(admin, source).state, mention(admin, source).kind) == (
            WebmentionState.VERIFIED,
            WebmentionKind.MENTION,
        )
        assert mention(admin, plain).kind is WebmentionKind.MENTION
        assert thread(admin)["comments"] == []


def test_sources_that_are_refused(wm_db: str, web: Web) -> None:
    admin = open_app(wm_db, ManualClock(), webmention={"max_bytes": 4096})
    unlinked = web.page("/unlinked", "<p>Nothing to see.</p>")
    big = web.page("/big", reply_page("x" * 5000))
    missing = web.url("/missing")
    moved = web.redirect("/moved", "/reply-after-redirect")
    web.page("/reply-after-redirect", reply_page("Found after a redirect"))
    with admin.client:
        for source in (unlinked, big, missing, moved):
            assert send_webmention(admin, source).status_code == 202
        deliver(admin)
        assert mention(admin, unlinked).state is WebmentionState.REFUSED
        refused = mention(admin, big)
        assert refused.state is WebmentionState.REFUSED and (refused.error or "").startswith("too-large")
        assert mention(admin, missing).state is WebmentionState.REFUSED
        assert "404" in (mention(admin, missing).error or "")
        assert mention(admin, moved).kind is WebmentionKind.REPLY  # redirects are followed
        assert len(thread(admin)["comments"]) == 1


def test_a_source_on_an_internal_address_is_refused_by_the_guard(wm_db: str, web: Web) -> None:
    """Without allow_private, a source whose name resolves to loopback is refused when it is fetched, and a
    literal internal address at once; nothing is fetched from the internal server."""
    name = socket.gethostname()
    if not all(info[4][0].startswith("127.") for info in socket.getaddrinfo(name, 443)):
        pytest.skip("this machine's host name does not resolve to loopback")
    admin = open_app(wm_db, ManualClock(), webmention={"allow_private": False})
    web.page("/reply", reply_page("from inside"))
    with admin.client:
        literal = send_webmention(admin, web.url("/reply"))
        assert literal.status_code == 400
        assert literal.json()["code"] == "source-not-public"
        by_name = f"https://{name}:{web.port}/reply"
        assert send_webmention(admin, by_name).status_code == 202
        deliver(admin)
        refused = mention(admin, by_name)
        assert refused.state is WebmentionState.REFUSED
        assert (refused.error or "").startswith("server-not-public")
        assert web.gets == [] and thread(admin)["comments"] == []


def test_a_slow_source_is_retried_with_backoff(wm_db: str, web: Web) -> None:
    clock = ManualClock()
    admin = open_app(wm_db, clock)
    source = web.page("/busy", "busy", status=503)
    with admin.client:
        assert send_webmention(admin, source).status_code == 202
        deliver(admin)
        assert mention(admin, source).state is WebmentionState.PENDING
        web.page("/busy", reply_page("Back again"))
        deliver(admin)
        assert mention(admin, source).state is WebmentionState.PENDING  # not due yet
        # Past the longest wait (retry_max_seconds 20, jittered up to ×1.25): a CI run once saw a second
        # failed attempt within the first round, and the third then fell due after 10 s of its jitter.
        clock.advance(30)
        deliver(admin)
        assert mention(admin, source).state is WebmentionState.VERIFIED
        assert mention(admin, source).kind is WebmentionKind.REPLY
        assert web.gets.count("/busy") >= 2


def test_a_source_and_an_endpoint_that_keep_failing_are_given_up_on(wm_db: str, web: Web) -> None:
    """After [webmention] max_attempts failed attempts: the mention is refused and the send failed, each
    with the last error, and what the send was last answered is kept."""
    clock = ManualClock()
    admin = open_app(wm_db, clock)
    source = web.page("/down", "down", status=503)
    web.page("/target", '<link rel="webmention" href="/ep">')
    web.answers["/ep"] = [500, 500, 500]
    with admin.client:
        assert send_webmention(admin, source).status_code == 202
        made = admin.post_comment(f"See [this]({web.url('/target')})")
        deliver(admin)
        for _ in range(3):  # past the longest wait (retry_max_seconds 20, jittered up to x1.25) each time
            clock.advance(30)
            deliver(admin)
        refused = mention(admin, source)
        assert refused.state is WebmentionState.REFUSED
        assert (refused.error or "").startswith("gave up: ")
        assert (refused.error or "").endswith("503")
        [row] = sends(admin, made["id"])
        assert (row.state, row.status_code, row.endpoint) == (SendState.FAILED, 500, web.url("/ep"))
        assert (row.error or "").startswith("gave up: ")
        assert len(web.posted_to("/ep")) == 3
        assert web.gets.count("/down") == 3


def test_the_noscript_page_advertises_the_endpoint(wm_db: str) -> None:
    admin = open_app(wm_db, ManualClock())
    with admin.client:
        page = admin.client.get("/thread", params={"url": ARTICLE}, headers=HTML)
        assert page.status_code == 200
        assert '<link rel="webmention" href="/webmention">' in page.text


# --- sending ---------------------------------------------------------------------------------------------


def discovery_web(web: Web) -> dict[str, str]:
    """Pages covering the discovery cases; each value is the endpoint path it should be sent to."""
    web.page(
        "/link-header-absolute", "<p>hi</p>", headers={"Link": f'<{web.url("/ep/a")}>; rel="webmention"'}
    )
    web.page("/link-header-relative", "<p>hi</p>", headers={"Link": '</ep/b?x=1>; rel="webmention nofollow"'})
    web.page(
        "/header-beats-html",
        '<link rel="webmention" href="/ep/html">',
        headers={"Link": '<https://elsewhere.invalid/x>; rel="other", </ep/c>; rel=webmention'},
    )
    web.page("/dir/link-element", '<html><head><link rel="webmention" href="../ep/d"></head></html>')
    web.page("/a-element", '<body><a rel="webmention" href="/ep/e">endpoint</a></body>')
    web.page(
        "/several",
        '<body><a href="/x">x</a><a rel="webmention" href="/ep/first"></a>'
        '<link rel="webmention" href="/ep/second"></body>',
    )
    web.page("/empty", '<link rel="webmention" href="">')
    web.page(
        "/commented", '<!-- <link rel="webmention" href="/ep/wrong"> --><link rel="webmention" href="/ep/f">'
    )
    web.redirect("/redirecting", "/final/page")
    web.page("/final/page", '<link rel="webmention" href="endpoint">')
    web.page("/none", "<p>No endpoint here.</p>")
    return {
        "/link-header-absolute": "/ep/a",
        "/link-header-relative": "/ep/b?x=1",
        "/header-beats-html": "/ep/c",
        "/dir/link-element": "/ep/d",
        "/a-element": "/ep/e",
        "/several": "/ep/first",
        "/empty": "/empty",
        "/commented": "/ep/f",
        "/redirecting": "/final/endpoint",
    }


def test_links_in_a_published_comment_are_sent_to_every_discovered_endpoint(wm_db: str, web: Web) -> None:
    cases = discovery_web(web)
    admin = open_app(wm_db, ManualClock(), moderation={"max_links": 20})
    links = [*cases, "/none"]
    text = " ".join(f"[{p}]({web.url(p)})" for p in links) + f" and [our own page]({ORIGIN}/about)"
    with admin.client:
        made = admin.post_comment(text)
        assert made["status"] == "published", made
        deliver(admin)
        rows = {s.target: s for s in sends(admin, made["id"])}
    source = f"{PUBLIC}/thread?url=https%3A%2F%2Fblog.example%2F2026%2F11%2Fa-post#comment-{made['id']}"
    assert set(rows) == {web.url(p) for p in links}  # not the site's own page
    for page, endpoint in cases.items():
        assert web.posted_to(endpoint) == [{"source": source, "target": web.url(page)}], page
        row = rows[web.url(page)]
        assert (row.state, row.status_code, row.endpoint) == (SendState.SENT, 202, web.url(endpoint))
    assert rows[web.url("/none")].state is SendState.NO_ENDPOINT
    assert (
        web.posted_to("/ep/html") == []
        and web.posted_to("/ep/second") == []
        and web.posted_to("/ep/wrong") == []
    )
    assert all(p.headers["content-type"] == "application/x-www-form-urlencoded" for p in web.posts)


def test_sending_is_retried_and_is_off_unless_the_site_asks(wm_db: str, web: Web) -> None:
    clock = ManualClock()
    web.page("/target", '<link rel="webmention" href="/ep">')
    web.answers["/ep"] = [500, 400]
    run_cli(wm_db, "site", "add", "quiet", "--origin", "https://quiet.example")
    admin = open_app(wm_db, clock)
    with admin.client:
        made = admin.post_comment(f"See [this]({web.url('/target')})")
        deliver(admin)
        [row] = sends(admin, made["id"])
        assert (row.state, row.status_code) == (SendState.PENDING, 500)
        clock.advance(10)
        deliver(admin)
        [row] = sends(admin, made["id"])
        assert (row.state, row.status_code) == (SendState.FAILED, 400)  # a 4xx is not retried
        assert len(web.posted_to("/ep")) == 2
        # A site that did not turn sending on sends nothing.
        quiet = admin.client.post(
            "/api/comments",
            json={
                "url": "https://quiet.example/p",
                "text": f"See [this]({web.url('/target')})",
                "author": {"name": "Q"},
            },
            headers={"Origin": "https://quiet.example"},
        )
        assert quiet.status_code == 201
        deliver(admin)
        assert sends(admin, quiet.json()["id"]) == []
        assert len(web.posted_to("/ep")) == 2


def test_a_reply_a_check_holds_gets_a_statement_of_reasons_on_record(wm_db: str, web: Web) -> None:
    from rejoinder.store import notices as notice_store

    admin = open_app(
        wm_db, ManualClock(), moderation={"suspect_words": ["swindle"], "suspect_action": "hold"}
    )
    source = web.page("/held", reply_page("What a swindle this is."))
    with admin.client:
        assert send_webmention(admin, source).status_code == 202
        deliver(admin)
        got = mention(admin, source)
        assert got.comment_id is not None
        assert admin.status_of(got.comment_id) == "pending"
        assert thread(admin)["comments"] == []

        async def go() -> list[Any]:
            async with store_engine.read(admin.ctx.engine) as conn:
                return await notice_store.select_statements_for_comment(conn, got.comment_id or "")

        [statement] = admin.run(go)
        # The remote author has no inbox or confirmed address here: the statement is on record only.
        assert (statement.automated_check, statement.reason_code, statement.identity_id) == (
            "words",
            "suspect-word",
            None,
        )
        assert statement.restriction.value == "restricted" and statement.emailed is None


def test_a_deleted_comment_is_sent_again_for_the_target_to_remove_it(wm_db: str, web: Web) -> None:
    """When a comment whose links were sent is deleted (or hidden by a moderator), each target that took a
    Webmention is sent the same one again: the receiver verifies the source anew and finds the comment gone
    from it. A target that never took one (no endpoint) is not bothered again."""
    web.page("/target", '<link rel="webmention" href="/ep">')
    web.page("/plain", "<p>No endpoint here.</p>")
    admin = open_app(wm_db, ManualClock())
    with admin.client:
        made = admin.post_comment(f"See [this]({web.url('/target')}) and [that]({web.url('/plain')})")
        deliver(admin)
        assert len(web.posted_to("/ep")) == 1
        token = {"Rejoinder-Edit-Token": made["edit_token"]}
        assert admin.client.delete(f"/api/comments/{made['id']}", headers=token).status_code == 204
        deliver(admin)
        first, again = web.posted_to("/ep")
        assert again == first  # the same source and target: "verify me again"
        rows = {s.target: s for s in sends(admin, made["id"])}
        assert (rows[web.url("/target")].state, rows[web.url("/target")].status_code) == (SendState.SENT, 202)
        assert rows[web.url("/plain")].state is SendState.NO_ENDPOINT
        # the source page no longer shows the comment, nor its link: the receiver removes its reply
        page = admin.client.get(first["source"].partition("#")[0])
        assert page.status_code == 200 and web.url("/target") not in page.text

        # A moderator hiding a published comment sends it again too.
        other = admin.post_comment(f"Again [this]({web.url('/target')})")
        deliver(admin)
        assert len(web.posted_to("/ep")) == 3
        admin.login()
        assert admin.submit(f"/admin/comments/{other['id']}", {"action": "spam"}).status_code == 303
        deliver(admin)
        assert len(web.posted_to("/ep")) == 4


def test_a_reply_to_a_comment_is_threaded_under_it(wm_db: str, web: Web) -> None:
    """A Webmention whose target is a comment's anchor (`ARTICLE#comment-ID`, as pages link one comment)
    becomes a reply to that comment; an anchor naming no comment of the thread leaves it under the article."""
    admin = open_app(wm_db, ManualClock())
    with admin.client:
        parent = admin.post_comment("The first comment")
        anchor = f"{ARTICLE}#comment-{parent['id']}"
        source = web.page("/re-comment", reply_page("I answer the first comment.", target=anchor))
        assert send_webmention(admin, source, anchor).status_code == 202
        stray = web.page("/re-nothing", reply_page("To no one.", target=f"{ARTICLE}#comment-nope"))
        assert send_webmention(admin, stray, f"{ARTICLE}#comment-nope").status_code == 202
        deliver(admin)
        got, lost = mention(admin, source), mention(admin, stray)
        assert got.state is WebmentionState.VERIFIED and got.kind is WebmentionKind.REPLY
        assert lost.state is WebmentionState.VERIFIED and lost.kind is WebmentionKind.REPLY
        assert got.comment_id is not None and lost.comment_id is not None
        assert comment_row(admin, got.comment_id) == (parent["id"], 1)
        assert comment_row(admin, lost.comment_id) == (None, 0)
        # sent again (the source changed), it stays where it is
        web.page("/re-comment", reply_page("I answer the first comment, edited.", target=anchor))
        assert send_webmention(admin, source, anchor).status_code == 202
        deliver(admin)
        assert comment_row(admin, got.comment_id) == (parent["id"], 1)


def comment_row(admin: Admin, comment_id: str) -> tuple[str | None, int]:
    from rejoinder.store import comments as comment_store

    async def go() -> tuple[str | None, int]:
        async with store_engine.read(admin.ctx.engine) as conn:
            found = await comment_store.select_comment(conn, comment_id)
        assert found is not None
        return found[0].parent, found[0].depth

    result: tuple[str | None, int] = admin.run(go)
    return result
