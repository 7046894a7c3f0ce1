"""services/comments.py, called directly on a running app's Context (SQLite and PostgreSQL): post, edit within
the window, refused after it (the clock is moved, not waited for), the wrong token refused, delete; each
checked against what the thread then shows."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.errors import CommentNotFound, Forbidden
from rejoinder.services import comments as service
from rejoinder.services.context import Context
from rejoinder.services.threads import resolve_ref
from tests.fixtures.app import ARTICLE, advance_clock


def ctx_of(client: TestClient[Any]) -> Context:
    ctx = client.rejoinder.ctx  # type: ignore[attr-defined]
    assert isinstance(ctx, Context)
    return ctx


def shown(client: TestClient[Any]) -> list[tuple[str, str]]:
    body = client.get("/api/threads", params={"url": ARTICLE}).json()
    return [(c["text"], c["status"]) for c in body["comments"]]


def post(client: TestClient[Any], text: str) -> service.Posted:
    ctx = ctx_of(client)

    async def go() -> service.Posted:
        ref = await resolve_ref(ctx, url=ARTICLE, key=None)
        new = service.NewComment(text=text, parent=None, name="Ann", email=None, website=None, title=None)
        return await service.post_comment(ctx, ref, new, visitor=None, ip="203.0.113.9")

    with client.portal() as portal:
        return portal.call(go)


def test_post_edit_and_delete(client: TestClient[Any]) -> None:
    ctx = ctx_of(client)
    posted = post(client, "First words")
    assert posted.comment.text == "First words" and posted.reason_code is None
    assert shown(client) == [("First words", "published")]
    with client.portal() as portal:
        edited = portal.call(
            lambda: service.edit_comment(ctx, posted.comment.id, "Better words", token=posted.edit_token)
        )
        assert edited.text == "Better words"
        with pytest.raises(Forbidden) as refused:
            portal.call(lambda: service.delete_comment(ctx, posted.comment.id, token="x" * 32))
        assert refused.value.code == "edit-token-invalid"
        with pytest.raises(CommentNotFound):
            portal.call(lambda: service.delete_comment(ctx, "doesnotexist1", token=posted.edit_token))
    assert shown(client) == [("Better words", "published")]
    with client.portal() as portal:
        portal.call(lambda: service.delete_comment(ctx, posted.comment.id, token=posted.edit_token))
    assert shown(client) == []


def test_the_edit_window_closes(client: TestClient[Any]) -> None:
    ctx = ctx_of(client)
    posted = post(client, "Said once")
    advance_clock(client, ctx.settings.comments.edit_window_seconds + 1)
    with client.portal() as portal, pytest.raises(Forbidden) as refused:
        portal.call(lambda: service.edit_comment(ctx, posted.comment.id, "Changed", token=posted.edit_token))
    assert refused.value.code == "edit-window-closed"
    assert shown(client) == [("Said once", "published")]


def test_an_update_and_a_delete_from_elsewhere(client: TestClient[Any]) -> None:
    """What an ActivityPub Update and Delete call: no token, no edit window; None/False once it is gone."""
    ctx = ctx_of(client)
    posted = post(client, "From afar")
    advance_clock(client, ctx.settings.comments.edit_window_seconds + 1)
    with client.portal() as portal:
        replaced = portal.call(lambda: service.replace_text(ctx, posted.comment.id, "Changed afar"))
        assert replaced is not None and replaced.text == "Changed afar" and replaced.edited is not None
        assert shown(client) == [("Changed afar", "published")]
        assert portal.call(lambda: service.remove_comment(ctx, posted.comment.id, by="remote")) is True
        assert shown(client) == []
        assert portal.call(lambda: service.remove_comment(ctx, posted.comment.id, by="remote")) is False
        assert portal.call(lambda: service.replace_text(ctx, posted.comment.id, "Again")) is None
