"""The moderation desk over HTTP on SQLite and PostgreSQL: search (and hostile searches), a moderator's edit
(revisions kept, marked in the thread read and the no-JS page), warnings a commenter acknowledges before
posting again, always-premoderate for guests by email and for signed-in readers, the commenter page with
shared notes, and saved filters. Each checks the answer and the stored state."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rejoinder.domain.identity import Profile
from rejoinder.moderation.rules import Role
from rejoinder.services import accounts
from rejoinder.store import engine as store_engine
from rejoinder.store.schema import (
    comment_edits,
    commenter_notes,
    commenter_warnings,
    comments,
    events,
    moderation_log,
    premoderated_commenters,
    saved_filters,
)
from tests.fixtures.admin import HTML, NEWS_ARTICLE, Admin
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.web.test_pages import HTML_ACCEPT, submit, the_form


def rows(admin: Admin, query: Any) -> list[tuple[Any, ...]]:
    async def go() -> list[tuple[Any, ...]]:
        async with store_engine.read(admin.ctx.engine) as conn:
            return [tuple(r) for r in (await conn.execute(query)).all()]

    found: list[tuple[Any, ...]] = admin.run(go)
    return found


def logged(admin: Admin, action: str) -> list[tuple[Any, ...]]:
    m = moderation_log.c
    return rows(admin, sa.select(m.actor, m.target_kind, m.target_id, m.note).where(m.action == action))


def event_kinds(admin: Admin) -> list[str]:
    return [r[0] for r in rows(admin, sa.select(events.c.kind).order_by(events.c.id))]


def thread_json(admin: Admin) -> dict[str, Any]:
    response = admin.client.get("/api/threads", params={"url": ARTICLE}, headers={"Origin": ORIGIN})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def act(admin: Admin, path: str, data: dict[str, Any], *, csrf_from: str) -> Any:
    """A form posted as a script would (no Accept: text/html): refusals come as problem+json."""
    body = {"csrf": admin.csrf(csrf_from), **data}
    return admin.client.post(path, data=body, follow_redirects=False)


def post_raw(admin: Admin, text: str, *, headers: dict[str, str] | None = None, **author: Any) -> Any:
    body = {"url": ARTICLE, "text": text, "author": {"name": "Ann", **author}}
    return admin.client.post("/api/comments", json=body, headers={"Origin": ORIGIN, **(headers or {})})


# --- search ----------------------------------------------------------------------------------------------


def test_a_moderator_searches_by_words_author_status_and_site(admin: Admin) -> None:
    fox = admin.post_comment("The quick brown fox", name="Ann", author={"email": "ann@example.org"})
    dog = admin.post_comment("A lazy brown dog", name="Bob")
    news = admin.post_comment("Brown news elsewhere", url=NEWS_ARTICLE, name="Cy")
    assert admin.login().status_code == 303

    page = admin.page("/admin/search", q="brown").text
    assert all(f"/admin/comments/{c['id']}" in page for c in (fox, dog, news))
    page = admin.page("/admin/search", q="brown fox").text
    assert f"/admin/comments/{fox['id']}" in page and f"/admin/comments/{dog['id']}" not in page
    page = admin.page("/admin/search", q="brown", author="ANN@example.org").text
    assert f"/admin/comments/{fox['id']}" in page and f"/admin/comments/{dog['id']}" not in page
    page = admin.page("/admin/search", q="brown", site="news").text
    assert f"/admin/comments/{news['id']}" in page and f"/admin/comments/{fox['id']}" not in page
    page = admin.page("/admin/search", q="brown", status="pending").text
    assert "No comment matches." in page


def test_a_site_moderator_finds_only_their_sites_comments(admin: Admin) -> None:
    blog = admin.post_comment("Secret brown blog words")
    news = admin.post_comment("Secret brown news words", url=NEWS_ARTICLE)
    admin.moderator("news")
    page = admin.page("/admin/search", q="secret").text
    assert f"/admin/comments/{news['id']}" in page and f"/admin/comments/{blog['id']}" not in page
    refused = admin.client.get("/admin/search", params={"q": "secret", "site": "blog"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "not-a-moderator"


def test_hostile_searches_answer_a_page_or_a_precise_problem(admin: Admin) -> None:
    admin.post_comment('She said "brown" (twice)')
    assert admin.login().status_code == 303
    for words in [
        '"',
        'brown"',
        "NEAR(brown",
        "text:brown",
        "brown*",
        "^",
        "'; DROP TABLE comments; --",
        "\\%_",
    ]:
        response = admin.client.get("/admin/search", params={"q": words}, headers=HTML)
        assert response.status_code == 200, (words, response.text[:300])
    found = admin.page("/admin/search", q='"brown"').text
    assert "She said" in found
    for params, code, field in [
        ({"q": "x" * 501}, "search-too-long", "q"),
        ({"q": " ".join(f"w{i}" for i in range(13))}, "search-too-long", "q"),
        ({"from": "2026-02-30"}, "search-date-invalid", "from"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "search-dates-reversed", "to"),
        ({"status": "nope"}, "search-status-invalid", "status"),
        ({"q": "a", "offset": "99999"}, "search-offset-invalid", "offset"),
        ({"q": "a", "offset": "-1"}, "search-offset-invalid", "offset"),
        ({"site": "nowhere"}, "site-not-found", None),
    ]:
        response = admin.client.get("/admin/search", params=params)
        assert response.headers["content-type"] == "application/problem+json", params
        body = response.json()
        assert (response.status_code, body["code"]) == (404 if code == "site-not-found" else 422, code), body
        if field:
            assert body["errors"][0]["field"] == field


def test_saved_filters_run_again_and_are_the_moderators_own(admin: Admin) -> None:
    fox = admin.post_comment("The quick brown fox")
    assert admin.login().status_code == 303
    saved = act(
        admin,
        "/admin/search/filters",
        {"name": "Foxes", "q": "fox", "status": ["published", "pending"]},
        csrf_from="/admin/search",
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith("/admin/search?q=fox&status=published&status=pending")
    [(owner, name, query)] = rows(
        admin, sa.select(saved_filters.c.owner, saved_filters.c.name, saved_filters.c.query)
    )
    assert (owner, name, query) == ("admin:root", "Foxes", {"q": "fox", "status": ["published", "pending"]})
    page = admin.page("/admin/search").text
    assert 'href="/admin/search?q=fox&amp;status=published&amp;status=pending&amp;saved=' in page
    rerun = admin.page("/admin/search", q="fox", status=["published", "pending"]).text
    assert f"/admin/comments/{fox['id']}" in rerun

    empty = act(admin, "/admin/search/filters", {"name": "Nothing"}, csrf_from="/admin/search")
    assert (empty.status_code, empty.json()["code"]) == (422, "filter-empty")
    [(filter_id,)] = rows(admin, sa.select(saved_filters.c.id))
    admin.moderator(
        "blog", subject="other-mod"
    )  # another moderator sees none of them, and cannot remove them
    assert "Foxes" not in admin.page("/admin/search").text
    stranger = act(
        admin, "/admin/search/filters", {"action": "delete", "id": str(filter_id)}, csrf_from="/admin/search"
    )
    assert (stranger.status_code, stranger.json()["code"]) == (404, "filter-not-found")
    assert rows(admin, sa.select(saved_filters.c.id)) == [(filter_id,)]


# --- a moderator edits a comment --------------------------------------------------------------------------


def test_a_moderator_edit_keeps_every_revision_and_shows_in_the_thread(admin: Admin) -> None:
    made = admin.post_comment("Call me at 555-0100, my address is 1 Main St")
    before = thread_json(admin)["comments"][0]
    assert (before["moderator_edited"], before["moderator_note"]) == (False, None)
    assert admin.login().status_code == 303
    path = f"/admin/comments/{made['id']}"
    first = act(
        admin, f"{path}/edit", {"text": "Call me [removed]", "note": "Personal data removed"}, csrf_from=path
    )
    assert first.status_code == 303
    assert first.headers["location"] == f"{path}?done=edit"
    second = act(admin, f"{path}/edit", {"text": "Call me [removed].", "note": ""}, csrf_from=path)
    assert second.status_code == 303

    after = thread_json(admin)["comments"][0]  # the cached read was invalidated
    assert (after["text"], after["moderator_edited"], after["moderator_note"]) == (
        "Call me [removed].",
        True,
        None,
    )
    assert after["edited"] is not None and after["status"] == "published"
    stored = rows(
        admin,
        sa.select(
            comment_edits.c.previous_text,
            comment_edits.c.text,
            comment_edits.c.note,
            comment_edits.c.created_by,
        ).order_by(comment_edits.c.id),
    )
    assert stored == [
        (
            "Call me at 555-0100, my address is 1 Main St",
            "Call me [removed]",
            "Personal data removed",
            "admin:root",
        ),
        ("Call me [removed]", "Call me [removed].", None, "admin:root"),
    ]
    assert [r[0] for r in logged(admin, "edit")] == ["admin:root", "admin:root"]
    assert event_kinds(admin).count("comment.edited") == 2
    detail = admin.page(path).text
    assert "Moderator edits" in detail and "Call me at 555-0100" in detail

    act(admin, f"{path}/edit", {"text": "Call me [removed].", "note": "Phone <b>removed</b>"}, csrf_from=path)
    noscript = admin.client.get("/thread", params={"url": ARTICLE})
    assert noscript.status_code == 200
    assert 'Edited by a moderator: <span dir="auto">Phone &lt;b&gt;removed&lt;/b&gt;</span>' in noscript.text
    assert thread_json(admin)["comments"][0]["moderator_note"] == "Phone <b>removed</b>"


def test_bad_edits_are_refused_and_change_nothing(admin: Admin) -> None:
    made = admin.post_comment("Original text")
    other = admin.post_comment("On the news site", url=NEWS_ARTICLE)
    admin.moderator("blog")
    path = f"/admin/comments/{made['id']}"
    for data, status, code in [
        ({"text": "   "}, 422, "text-empty"),
        ({"text": "x" * 10001}, 422, "text-too-long"),
        ({"text": "fine", "note": "n" * 501}, 422, "note-too-long"),
    ]:
        response = act(admin, f"{path}/edit", data, csrf_from=path)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
    forbidden = act(admin, f"/admin/comments/{other['id']}/edit", {"text": "mine now"}, csrf_from=path)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "not-a-moderator")
    missing = act(admin, "/admin/comments/nope/edit", {"text": "x"}, csrf_from=path)
    assert (missing.status_code, missing.json()["code"]) == (404, "comment-not-found")
    no_csrf = admin.client.post(f"{path}/edit", data={"text": "x"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    assert rows(admin, sa.select(comments.c.text).order_by(comments.c.created)) == [
        ("Original text",),
        ("On the news site",),
    ]
    assert rows(admin, sa.select(comment_edits.c.id)) == []


# --- warnings --------------------------------------------------------------------------------------------


def test_a_warned_guest_acknowledges_before_posting_again(admin: Admin) -> None:
    made = admin.post_comment("Rude words", author={"email": "Troll@example.org"})
    assert admin.login().status_code == 303
    page = f"/admin/commenters/{made['id']}"
    warned = act(admin, page, {"action": "warn", "message": "Please  keep it civil."}, csrf_from=page)
    assert warned.status_code == 303
    [(warning_id, message, acknowledged)] = rows(
        admin,
        sa.select(commenter_warnings.c.id, commenter_warnings.c.message, commenter_warnings.c.acknowledged),
    )
    assert (message, acknowledged) == ("Please keep it civil.", None)
    assert logged(admin, "warn") == [("admin:root", "comment", made["id"], "Please keep it civil.")]
    assert "commenter.warned" in event_kinds(admin)

    refused = post_raw(admin, "Again", email="troll@EXAMPLE.org")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "commenter-warned"
    assert body["warning"] == {"id": warning_id, "message": "Please keep it civil."}
    # The no-JS form says so too, with the moderator's words (escaped), and posts nothing.
    form = the_form(admin.client.get("/thread", params={"url": ARTICLE}, headers=HTML_ACCEPT).text)
    nojs = submit(admin.client, form, text="Via the page", name="Troll", email="troll@example.org")
    assert nojs.status_code == 403
    assert "A moderator has sent you a warning" in nojs.text and "Please keep it civil." in nojs.text
    other = post_raw(admin, "Someone else", email="nice@example.org")
    assert other.status_code == 201
    assert rows(admin, sa.select(sa.func.count()).select_from(comments)) == [(2,)]

    wrong = admin.client.post("/api/warnings/not-a-warning/acknowledge", headers={"Origin": ORIGIN})
    assert (wrong.status_code, wrong.json()["code"]) == (404, "warning-not-found")
    foreign = admin.client.post(
        f"/api/warnings/{warning_id}/acknowledge", headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    ack = admin.client.post(f"/api/warnings/{warning_id}/acknowledge", headers={"Origin": ORIGIN})
    assert (ack.status_code, ack.json()) == (200, {"id": warning_id, "acknowledged": True})
    again = admin.client.post(f"/api/warnings/{warning_id}/acknowledge", headers={"Origin": ORIGIN})
    assert (again.status_code, again.json()["code"]) == (404, "warning-not-found")
    assert rows(admin, sa.select(commenter_warnings.c.acknowledged))[0][0] is not None
    assert "commenter.warning_acknowledged" in event_kinds(admin)
    assert post_raw(admin, "Sorry", email="troll@example.org").status_code == 201
    assert "acknowledged" in admin.page(page).text


def test_a_warned_guest_reads_and_acknowledges_on_the_no_js_page(admin: Admin) -> None:
    made = admin.post_comment("Rude words", author={"email": "troll@example.org"})
    assert admin.login().status_code == 303
    page = f"/admin/commenters/{made['id']}"
    assert (
        act(admin, page, {"action": "warn", "message": "No <b>shouting</b>."}, csrf_from=page).status_code
        == 303
    )
    [(warning_id,)] = rows(admin, sa.select(commenter_warnings.c.id))
    form = the_form(admin.client.get("/thread", params={"url": ARTICLE}, headers=HTML_ACCEPT).text)
    assert "acknowledge" not in form  # nothing to acknowledge before a post is refused
    typed = {"text": "Via the page", "name": "Troll", "email": "troll@example.org"}
    refused = submit(admin.client, form, **typed)
    assert refused.status_code == 403
    # The refused page shows the warning in the moderator's words (escaped) and asks to confirm reading it.
    assert "No &lt;b&gt;shouting&lt;/b&gt;." in refused.text and "I have read it" in refused.text
    again = the_form(refused.text)
    assert again["acknowledge"] == warning_id and again["text"] == "Via the page"
    unticked = {k: v for k, v in again.items() if k != "acknowledge"}
    assert submit(admin.client, unticked).status_code == 403  # not ticked: still refused
    forged = submit(admin.client, {**again, "acknowledge": "not-a-warning"})
    assert forged.status_code == 403 and "I have read it" in forged.text  # acknowledged nothing
    assert rows(admin, sa.select(commenter_warnings.c.acknowledged)) == [(None,)]
    assert rows(admin, sa.select(sa.func.count()).select_from(comments)) == [(1,)]
    posted = submit(admin.client, again)
    assert posted.status_code == 303, posted.text
    assert "#comment-" in posted.headers["location"]
    assert rows(admin, sa.select(commenter_warnings.c.acknowledged))[0][0] is not None
    assert rows(admin, sa.select(sa.func.count()).select_from(comments)) == [(2,)]
    assert "commenter.warning_acknowledged" in event_kinds(admin)


def test_a_signed_in_reader_is_warned_by_identity(admin: Admin) -> None:
    profile = Profile(provider="test", subject="rita", name="Rita", email=None, email_verified=False)
    signed = admin.run(lambda: accounts.sign_in_with_profile(admin.ctx, profile, label="Test"))
    bearer = {"Authorization": f"Bearer {signed.token}"}
    made = post_raw(admin, "Signed in words", headers=bearer)
    assert made.status_code == 201
    admin.moderator("blog")
    page = f"/admin/commenters/{made.json()['id']}"
    assert "Signed-in account" in admin.page(page).text
    assert act(admin, page, {"action": "warn", "message": "Stop it"}, csrf_from=page).status_code == 303
    [(identity_id, email_hash)] = rows(
        admin, sa.select(commenter_warnings.c.identity_id, commenter_warnings.c.email_hash)
    )
    assert (identity_id, email_hash) == (signed.identity.id, None)
    refused = post_raw(admin, "More", headers=bearer)
    assert (refused.status_code, refused.json()["code"]) == (403, "commenter-warned")
    assert post_raw(admin, "A guest with the same name").status_code == 201


def test_warnings_that_cannot_be_given_are_refused(admin: Admin) -> None:
    nameless = admin.post_comment("No email here")
    assert admin.login().status_code == 303
    page = f"/admin/commenters/{nameless['id']}"
    for data, code in [
        ({"action": "warn", "message": "x"}, "commenter-unidentified"),
        ({"action": "premoderate"}, "commenter-unidentified"),
        ({"action": "shout"}, "action-invalid"),
        ({"action": "note", "text": "  "}, "note-required"),
    ]:
        response = act(admin, page, data, csrf_from=page)
        assert (response.status_code, response.json()["code"]) == (422, code), response.text
    emailed = admin.post_comment("With email", author={"email": "e@example.org"})
    page = f"/admin/commenters/{emailed['id']}"
    for data, code in [
        ({"action": "warn", "message": "  "}, "warning-required"),
        ({"action": "warn", "message": "w" * 1001}, "warning-too-long"),
    ]:
        response = act(admin, page, data, csrf_from=page)
        assert (response.status_code, response.json()["code"]) == (422, code), response.text
    assert rows(admin, sa.select(commenter_warnings.c.id)) == []
    assert rows(admin, sa.select(premoderated_commenters.c.id)) == []


# --- always pre-moderate ------------------------------------------------------------------------------------


def test_always_premoderate_holds_a_guests_new_comments(admin: Admin) -> None:
    made = admin.post_comment("First, published at once", author={"email": "held@example.org"})
    assert admin.status_of(made["id"]) == "published"
    assert admin.login().status_code == 303
    page = f"/admin/commenters/{made['id']}"
    on = act(admin, page, {"action": "premoderate"}, csrf_from=page)
    assert (on.status_code, on.headers["location"]) == (303, f"{page}?done=premoderate")
    assert "Always pre-moderated" in admin.page(page).text
    assert logged(admin, "premoderate") == [("admin:root", "comment", made["id"], None)]
    assert "commenter.premoderated" in event_kinds(admin)

    held = post_raw(admin, "Second", email="HELD@example.org")
    assert held.status_code == 201
    assert (held.json()["status"], held.json()["reason_code"]) == ("pending", "commenter-premoderated")
    assert admin.status_of(held.json()["id"]) == "pending"
    assert [c["id"] for c in thread_json(admin)["comments"]] == [made["id"]]
    assert post_raw(admin, "Another guest", email="free@example.org").json()["status"] == "published"

    off = act(admin, page, {"action": "unpremoderate"}, csrf_from=page)
    assert off.status_code == 303
    assert rows(admin, sa.select(premoderated_commenters.c.id)) == []
    assert post_raw(admin, "Third", email="held@example.org").json()["status"] == "published"


def test_always_premoderate_holds_a_signed_in_reader_on_that_site_only(admin: Admin) -> None:
    profile = Profile(provider="test", subject="sam", name="Sam", email=None, email_verified=False)
    signed = admin.run(lambda: accounts.sign_in_with_profile(admin.ctx, profile, label="Test"))
    bearer = {"Authorization": f"Bearer {signed.token}"}
    made = post_raw(admin, "Hello", headers=bearer).json()
    moderator = admin.moderator("blog")
    admin.grant(signed.identity.id, Role.TRUSTED, "blog")  # held even when trusted: the moderator asked
    page = f"/admin/commenters/{made['id']}"
    assert act(admin, page, {"action": "premoderate"}, csrf_from=page).status_code == 303
    [(identity_id, by)] = rows(
        admin, sa.select(premoderated_commenters.c.identity_id, premoderated_commenters.c.created_by)
    )
    assert (identity_id, by) == (signed.identity.id, moderator)
    assert post_raw(admin, "Held now", headers=bearer).json()["status"] == "pending"
    news = admin.client.post(
        "/api/comments",
        json={"url": NEWS_ARTICLE, "text": "On news", "author": {"name": "x"}},
        headers={"Origin": "https://news.example", **bearer},
    )
    assert (news.status_code, news.json()["status"]) == (201, "published")


# --- the commenter page and shared notes ------------------------------------------------------------------


def test_the_commenter_page_lists_their_history_and_notes_shared_between_moderators(admin: Admin) -> None:
    first = admin.post_comment("One", author={"email": "ann@example.org"})
    second = admin.post_comment("Two", author={"email": "ANN@example.org"})
    admin.post_comment("Not hers", name="Bob", author={"email": "bob@example.org"})
    news = admin.post_comment("Hers on news", url=NEWS_ARTICLE, author={"email": "ann@example.org"})
    admin.moderator("blog", subject="mod-a")
    page = f"/admin/commenters/{second['id']}"
    view = admin.page(page).text
    assert "Guest writing as ann@example.org" in view
    assert f"/admin/comments/{first['id']}" in view and f"/admin/comments/{second['id']}" in view
    assert "Not hers" not in view and news["id"] not in view  # another site's comments are not this page's
    noted = act(admin, page, {"action": "note", "text": "Talked to her by email <script>"}, csrf_from=page)
    assert noted.status_code == 303
    admin.moderator("blog", subject="mod-b")
    other_view = admin.page(f"/admin/commenters/{first['id']}").text
    assert "Talked to her by email &lt;script&gt;" in other_view
    [(text, email_hash)] = rows(admin, sa.select(commenter_notes.c.text, commenter_notes.c.email_hash))
    assert text == "Talked to her by email <script>" and email_hash and "@" not in email_hash
    admin.moderator("news", subject="mod-news")
    refused = admin.client.get(page)
    assert (refused.status_code, refused.json()["code"]) == (403, "not-a-moderator")
