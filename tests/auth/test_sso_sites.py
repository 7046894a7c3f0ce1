"""A session is valid on the sites its provider is offered on: a publisher's SSO session (provider
restricted to `blog`) is refused with 401 `session-other-site` on `news`, which holds guests' comments, by
every route that uses a session with a site (posting, article and comment likes, reports, appeals, the
viewer, /api/me?site=), and nothing is stored. A session of an unrestricted provider works on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.services import accounts
from rejoinder.services import comments as comment_service
from rejoinder.services.threads import resolve_ref
from tests.auth.conftest import auth_client
from tests.auth.helpers import app_ctx, bearer, sign_in
from tests.auth.sso_support import claims, exchange, hs_key, mint, new_secret, write_secret
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

NEWS_ORIGIN = "https://news.example"
NEWS_ARTICLE = "https://news.example/2026/11/story"
NEWS = {"Origin": NEWS_ORIGIN}
BLOG = {"Origin": ORIGIN}


def settings(tmp_path: Path, secret: str, *, with_sso: bool = True) -> dict[str, Any]:
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, secret, "k1")}]
    providers = {"pub": {"preset": "sso", "keys": keys, "sites": ["blog"]}} if with_sso else {}
    return {
        "auth": {"providers": providers},
        # Every site holds guests' comments for review; signed-in readers are published at once.
        "moderation": {"premoderation": "guests", "rate_limits": False, "repeat_window": 0},
    }


@pytest.fixture
def secret() -> str:
    return new_secret()


@pytest.fixture
def two_sites(site_db: str) -> str:
    run_cli(site_db, "site", "add", "news", "--origin", NEWS_ORIGIN)
    return site_db


@pytest.fixture
def client(two_sites: str, tmp_path: Path, secret: str) -> Iterator[TestClient[Any]]:
    with auth_client(two_sites, **settings(tmp_path, secret)) as c:
        yield c


def sso_session(client: TestClient[Any], secret: str) -> dict[str, str]:
    response = exchange(client, mint(hs_key(secret, "k1"), claims()))
    assert response.status_code == 200, response.text
    return bearer(response.json()["token"])


def comment(client: TestClient[Any], url: str, text: str, headers: dict[str, str], **author: Any) -> Any:
    body = {"url": url, "text": text, "author": {"name": "Guest", **author}}
    return client.post("/api/comments", json=body, headers=headers)


def other_site(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "session-other-site" and body["status"] == 401
    assert "another site" in body["detail"]


def comments_of(client: TestClient[Any], url: str) -> list[dict[str, Any]]:
    response = client.get("/api/threads", params={"url": url})
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["comments"]
    return found


def stored_comment_count(client: TestClient[Any]) -> int:
    async def go() -> int:
        import sqlalchemy as sa

        from rejoinder.store import engine as store_engine
        from rejoinder.store.schema import comments

        async with store_engine.read(app_ctx(client).engine) as conn:
            return int((await conn.execute(sa.select(sa.func.count()).select_from(comments))).scalar_one())

    with client.portal() as portal:
        return portal.call(go)


def test_an_sso_session_posts_as_itself_on_its_own_site_only(client: TestClient[Any], secret: str) -> None:
    session = sso_session(client, secret)
    own = comment(client, ARTICLE, "Signed in on the blog", {**session, **BLOG})
    assert own.status_code == 201, own.text
    assert own.json()["status"] == "published" and own.json()["author"]["name"] == "Ann Publisher"

    before = stored_comment_count(client)
    refused = comment(client, NEWS_ARTICLE, "Skipping the news site's review", {**session, **NEWS})
    other_site(refused)
    assert stored_comment_count(client) == before and comments_of(client, NEWS_ARTICLE) == []

    # Without the session the same reader is a guest there, and the guest rule holds the comment.
    guest = comment(client, NEWS_ARTICLE, "As a guest", NEWS)
    assert guest.status_code == 201 and guest.json()["status"] == "pending"
    assert guest.json()["reason"].startswith("Comments from guests are reviewed before they appear")
    assert comments_of(client, NEWS_ARTICLE) == []


def test_every_route_that_uses_a_session_with_a_site_refuses_it(client: TestClient[Any], secret: str) -> None:
    session = sso_session(client, secret)
    # A public comment on news, by a reader of a provider offered everywhere.
    everywhere = bearer(sign_in(client, "nat", name="Nat News").token)
    public = comment(client, NEWS_ARTICLE, "Public on news", {**everywhere, **NEWS})
    assert public.status_code == 201 and public.json()["status"] == "published"
    public_id = public.json()["id"]
    blog_comment = comment(client, ARTICLE, "Public on the blog", {**everywhere, **BLOG}).json()

    visitor = {"Rejoinder-Visitor": "visitor-sso-sites-0001"}
    news_article = {"url": NEWS_ARTICLE}
    other_site(client.put("/api/threads/like", params=news_article, headers={**session, **NEWS}))
    other_site(client.delete("/api/threads/like", params=news_article, headers={**session, **NEWS}))
    other_site(client.put(f"/api/comments/{public_id}/like", headers={**session, **NEWS}))
    other_site(client.delete(f"/api/comments/{public_id}/like", headers={**session, **NEWS}))
    other_site(
        client.post(f"/api/comments/{public_id}/report", json={"reason": "spam"}, headers={**session, **NEWS})
    )
    other_site(client.get("/api/viewer", params=news_article, headers={**session, **visitor}))
    other_site(client.get("/api/me", params={"site": "news"}, headers=session))
    # Nothing changed: no like, no report (the comment is still public with no likes).
    thread = client.get("/api/threads", params=news_article).json()
    assert thread["thread"]["likes"]["count"] == 0
    [shown] = [c for c in thread["comments"] if c["id"] == public_id]
    assert shown["likes"] == 0 and shown["status"] == "published"

    # On its own site the same session does all of it.
    blog_article = {"url": ARTICLE}
    assert (
        client.put("/api/threads/like", params=blog_article, headers={**session, **BLOG}).status_code == 200
    )
    assert (
        client.put(f"/api/comments/{blog_comment['id']}/like", headers={**session, **BLOG}).status_code == 200
    )
    reported = client.post(
        f"/api/comments/{blog_comment['id']}/report", json={"reason": "spam"}, headers={**session, **BLOG}
    )
    assert reported.status_code == 201
    assert client.get("/api/viewer", params=blog_article, headers=session).status_code == 200
    assert client.get("/api/me", params={"site": "blog"}, headers=session).status_code == 200
    assert client.get("/api/me", headers=session).status_code == 200  # no site: who the token is
    # The unrestricted provider's session works on both sites.
    assert client.get("/api/me", params={"site": "news"}, headers=everywhere).status_code == 200
    assert client.get("/api/viewer", params=news_article, headers=everywhere).status_code == 200


def test_an_appeal_on_another_site_needs_the_edit_token(client: TestClient[Any], secret: str) -> None:
    """A comment the SSO identity wrote on news before this check existed: its session may not appeal it
    there (the edit token, which proves authorship by itself, still may)."""
    session = sso_session(client, secret)
    me = client.get("/api/me", headers=session).json()["identity"]["id"]

    async def legacy() -> Any:
        ctx = app_ctx(client)
        reader = (await accounts.authenticate(ctx, session["Authorization"])).identity
        assert reader.id == me
        ref = await resolve_ref(ctx, url=NEWS_ARTICLE, key=None, site=None)
        links = " ".join(f"https://l{n}.example/" for n in range(6))  # held: too many links
        new = comment_service.NewComment(
            text=f"Old words {links}", parent=None, name=None, email=None, website=None, title=None
        )
        return await comment_service.post_comment(ctx, ref, new, visitor=None, ip=None, reader=reader)

    with client.portal() as portal:
        posted = portal.call(legacy)
    assert posted.comment.status.value == "pending"
    path = f"/api/comments/{posted.comment.id}/appeal"
    other_site(client.post(path, json={"note": "Please look again"}, headers={**session, **NEWS}))
    token = {"Rejoinder-Edit-Token": posted.edit_token}
    sent = client.post(path, json={"note": "Please look again"}, headers={**token, **NEWS})
    assert sent.status_code == 202, sent.text


def test_a_removed_sso_provider_signs_in_nowhere(two_sites: str, tmp_path: Path, secret: str) -> None:
    with auth_client(two_sites, **settings(tmp_path, secret)) as before:
        session = sso_session(before, secret)
        assert comment(before, ARTICLE, "While it was configured", {**session, **BLOG}).status_code == 201
    with auth_client(two_sites, **settings(tmp_path, secret, with_sso=False)) as after:
        other_site(comment(after, ARTICLE, "After it was removed", {**session, **BLOG}))
        other_site(after.get("/api/me", params={"site": "blog"}, headers=session))
        # A session of a provider that is not an SSO one keeps working, as before.
        plain = bearer(sign_in(after, "pat", name="Pat").token)
        assert comment(after, ARTICLE, "Still here", {**plain, **BLOG}).status_code == 201
        texts = [c["text"] for c in comments_of(after, ARTICLE)]
        assert texts == ["While it was configured", "Still here"]  # none stored after the removal
