"""Query strings with bytes that are not UTF-8 are refused, not stored as replacement characters."""

from __future__ import annotations

from typing import Any

from tests.fixtures.app import ARTICLE


def test_invalid_utf8_thread_key_is_refused(client: Any) -> None:
    response = client.put(
        "/api/threads/like?key=%ED%A0%80&url=" + ARTICLE, headers={"Rejoinder-Visitor": "v" * 20}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-unicode"
    assert client.get("/api/threads", params={"url": ARTICLE}).json()["thread"]["likes"]["count"] == 0


def test_invalid_utf8_url_is_refused(client: Any) -> None:
    # %25FF is an escaped "%FF" inside the article URL, which is fine; a bare %FF decodes to no character
    assert client.get("/api/threads?url=https://blog.example/%25FF").status_code == 200
    response = client.get("/api/threads?url=https%3A%2F%2Fblog.example%2F%FF")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-unicode"
