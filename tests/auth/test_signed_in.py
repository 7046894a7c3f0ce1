"""A signed-in reader comments and likes as their identity; guests are unaffected."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.domain.identity import Profile
from rejoinder.domain.sites import SiteOptions
from rejoinder.services import accounts
from rejoinder.services import sites as site_service
from rejoinder.store.schema import comments, likes
from tests.auth.helpers import app_ctx, bearer, sign_in
from tests.fixtures.app import ARTICLE, ORIGIN, post_comment

BROWSER = {"Origin": ORIGIN}


def _rows(client: TestClient[Any], query: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with app_ctx(client).engine.connect() as conn:
            return list(await conn.execute(query))

    with client.portal() as portal:
        return portal.call(go)


def test_signed_in_comment_uses_the_identity(client: TestClient[Any]) -> None:
    me = sign_in(client, name="Alice Example")
    assert me.identity is not None and me.token is not None
    response = client.post(
        "/api/comments",
        json={
            "url": ARTICLE,
            "text": "Signed in",
            "author": {"name": "Someone Else", "email": "x@y.example"},
        },
        headers={**BROWSER, **bearer(me.token)},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["author"]["name"] == "Alice Example"
    assert body["edit_token"]  # editing works as for guests
    identity_avatar = client.get("/api/me", headers=bearer(me.token)).json()["identity"]["avatar"]
    assert body["author"]["avatar"] == identity_avatar
    [row] = _rows(
        client, sa.select(comments.c.identity_id, comments.c.author_email).where(comments.c.id == body["id"])
    )
    assert row.identity_id == me.identity.id
    assert row.author_email is None  # the typed email was ignored; the identity has no verified one

    guest = post_comment(client, "As a guest")
    [guest_row] = _rows(client, sa.select(comments.c.identity_id).where(comments.c.id == guest["id"]))
    assert guest_row.identity_id is None and guest["author"]["name"] == "Ann"


def test_bad_session_never_falls_back_to_guest(client: TestClient[Any]) -> None:
    me = sign_in(client)
    client.post("/api/logout", headers=bearer(me.token))
    response = client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Hi", "author": {"name": "Ann"}},
        headers={**BROWSER, **bearer(me.token)},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "session-revoked"


def test_sites_without_guests_still_take_signed_in_comments(client: TestClient[Any]) -> None:
    ctx = app_ctx(client)

    async def no_guests() -> None:
        await site_service.update_site(
            ctx.engine, "blog", add_origins=[], remove_origins=[], options=SiteOptions(allow_guests=False)
        )
        await ctx.sites.load()

    with client.portal() as portal:
        portal.call(no_guests)
    guest = client.post(
        "/api/comments", json={"url": ARTICLE, "text": "Hi", "author": {"name": "Ann"}}, headers=BROWSER
    )
    assert guest.status_code == 403 and guest.json()["code"] == "guests-disabled"
    me = sign_in(client)
    signed = client.post(
        "/api/comments", json={"url": ARTICLE, "text": "Hi"}, headers={**BROWSER, **bearer(me.token)}
    )
    assert signed.status_code == 201, signed.text


def test_renaming_updates_existing_comments(client: TestClient[Any]) -> None:
    me = sign_in(client, name="Old Name")
    headers = {**BROWSER, **bearer(me.token)}
    posted = client.post("/api/comments", json={"url": ARTICLE, "text": "Hi"}, headers=headers).json()
    assert (
        client.get("/api/threads", params={"url": ARTICLE}).json()["comments"][0]["author"]["name"]
        == "Old Name"
    )
    assert (
        client.patch("/api/me", json={"display_name": "New Name"}, headers=bearer(me.token)).status_code
        == 200
    )
    thread = client.get("/api/threads", params={"url": ARTICLE}).json()
    [comment] = [c for c in thread["comments"] if c["id"] == posted["id"]]
    assert comment["author"]["name"] == "New Name"


def test_signed_in_likes_show_in_likers_only_when_allowed(client: TestClient[Any]) -> None:
    me = sign_in(client, name="Liker Person")
    headers = {**BROWSER, **bearer(me.token)}
    liked = client.put("/api/threads/like", params={"url": ARTICLE}, json={"name": "Typed"}, headers=headers)
    assert liked.status_code == 200, liked.text  # no Rejoinder-Visitor needed when signed in
    assert liked.json() == {"liked": True, "likes": 1}
    again = client.put("/api/threads/like", params={"url": ARTICLE}, headers=headers)
    assert again.json() == {"liked": True, "likes": 1}  # one like per identity
    thread = client.get("/api/threads", params={"url": ARTICLE}).json()
    assert thread["thread"]["likes"] == {"count": 1, "recent": []}  # show_in_likes defaults to false
    viewer = client.get("/api/viewer", params={"url": ARTICLE}, headers=headers).json()
    assert viewer["liked_thread"] is True

    client.patch("/api/me", json={"show_in_likes": True}, headers=bearer(me.token))
    recent = client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["likes"]["recent"]
    avatar = client.get("/api/me", headers=bearer(me.token)).json()["identity"]["avatar"]
    assert recent == [{"name": "Liker Person", "avatar": avatar}]
    [row] = _rows(client, sa.select(likes.c.identity_id))
    assert row.identity_id == me.identity.id if me.identity else False

    client.patch("/api/me", json={"show_in_likes": False}, headers=bearer(me.token))
    assert client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["likes"]["recent"] == []
    gone = client.delete("/api/threads/like", params={"url": ARTICLE}, headers=headers)
    assert gone.json() == {"liked": False, "likes": 0}


def test_signed_in_comment_likes(client: TestClient[Any]) -> None:
    guest = post_comment(client, "Like me")
    me = sign_in(client)
    headers = {**BROWSER, **bearer(me.token)}
    assert client.put(f"/api/comments/{guest['id']}/like", headers=headers).json() == {
        "liked": True,
        "likes": 1,
    }
    viewer = client.get("/api/viewer", params={"url": ARTICLE}, headers=headers).json()
    assert viewer["liked"] == [guest["id"]]
    assert client.delete(f"/api/comments/{guest['id']}/like", headers=headers).json() == {
        "liked": False,
        "likes": 0,
    }


def test_renaming_updates_the_stored_copies(client: TestClient[Any]) -> None:
    me = sign_in(client, name="Old Name")
    headers = {**BROWSER, **bearer(me.token)}
    client.post("/api/comments", json={"url": ARTICLE, "text": "Hi"}, headers=headers)
    client.patch(
        "/api/me", json={"display_name": "New Name", "show_in_likes": True}, headers=bearer(me.token)
    )
    client.put("/api/threads/like", params={"url": ARTICLE}, headers=headers)
    assert [r.author_name for r in _rows(client, sa.select(comments.c.author_name))] == ["New Name"]
    assert [r.name for r in _rows(client, sa.select(likes.c.name))] == ["New Name"]


def test_a_provider_profile_url_becomes_a_normal_website(client: TestClient[Any]) -> None:
    """A provider's profile URL is the identity's website on its comments: stored in the same normal form
    as a guest's (no user name or password, lower-case host, punycode), or not at all when it is none."""
    ctx = app_ctx(client)

    def sign_in_with(subject: str, profile_url: str) -> Any:
        profile = Profile(provider="test", subject=subject, name="Pat", profile_url=profile_url)
        with client.portal() as portal:
            return portal.call(lambda: accounts.sign_in_with_profile(ctx, profile, label="Test"))

    pat = sign_in_with("pat", "HTTPS://pat:secret@Bücher.Example:443/@pat")
    assert pat.identity.profile_url == "https://xn--bcher-kva.example/@pat"
    response = client.post(
        "/api/comments", json={"url": ARTICLE, "text": "Me"}, headers={**BROWSER, **bearer(pat.token)}
    )
    assert response.status_code == 201 and response.json()["author"]["website"] == pat.identity.profile_url
    [row] = _rows(client, sa.select(comments.c.author_website).where(comments.c.id == response.json()["id"]))
    assert row.author_website == "https://xn--bcher-kva.example/@pat"
    assert sign_in_with("odd", "javascript:alert(1)").identity.profile_url is None
