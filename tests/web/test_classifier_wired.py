"""The running app scores every comment with the built-in learning classifier (default settings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from tests.fixtures.app import ARTICLE, make_settings


@pytest.fixture
def client(site_db: str) -> Iterator[TestClient[Any]]:
    """The app with the product's default checks, classifier included."""
    app = create_app(make_settings(site_db, classifier=True))
    with TestClient(app=app, base_url="http://rejoinder.test") as c:  # type: ignore[arg-type]
        yield c


def _post(client: Any, text: str, **extra: Any) -> Any:
    body = {"url": ARTICLE, "text": text, "author": {"name": "Sam"}, **extra}
    return client.post("/api/comments", json=body)


def test_obvious_spam_is_held_for_a_moderator(client: Any) -> None:
    response = _post(client, "Buy cheap viagra and cialis online, best prices at https://pills.example/buy")
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    assert client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["count"] == 0


def test_an_insult_is_nudged_then_held_if_posted_anyway(client: Any) -> None:
    nudged = _post(client, "You are an idiot and a liar, nobody wants to read your garbage")
    assert nudged.status_code == 422
    assert nudged.json()["code"] == "comment-needs-revision"
    posted = _post(client, "You are an idiot and a liar, nobody wants to read your garbage", confirm=True)
    assert posted.status_code == 201
    assert posted.json()["status"] == "pending"


def test_ordinary_comments_with_markdown_are_published(client: Any) -> None:
    for text in (
        "*Good* point about the **budget**, though ~~last year~~ the numbers were different.",
        "I disagree with the council's plan; the figures in `table 3` don't add up.\n\n- one\n- two",
    ):
        response = _post(client, text)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "published"
