"""Hostile or malformed input to the sign-in endpoints is a precise 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from litestar.testing import TestClient

from tests.auth.conftest import auth_client
from tests.auth.helpers import bearer, sign_in
from tests.fixtures.app import ORIGIN, run_cli


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient[Any]]:
    """SQLite only: input validation happens before the store, which the other tests cover on both."""
    run_cli(sqlite_url, "site", "add", "blog", "--origin", ORIGIN)
    with auth_client(sqlite_url) as c:
        yield c


NASTY = ["\x00", "a" * 5000, "\u202e", "<script>alert(1)</script>", "../../etc/passwd", "%00", " ", "é" * 10]


@pytest.mark.parametrize("value", NASTY)
def test_start_parameters(client: TestClient[Any], value: str) -> None:
    for params in (
        {"site": value, "origin": ORIGIN},
        {"site": "blog", "origin": value},
        {"site": "blog", "origin": ORIGIN, "mode": value},
        {"site": "blog", "origin": ORIGIN, "mode": "redirect", "return": value},
        {"site": "blog", "origin": ORIGIN, "link": value},
    ):
        response = client.get("/auth/nope/start", params=params)
        assert 400 <= response.status_code < 500, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("value", NASTY)
def test_callback_parameters(client: TestClient[Any], value: str) -> None:
    for params in ({"state": value}, {"state": value, "code": value}, {"error": value, "state": "x" * 43}):
        response = client.get("/auth/nope/callback", params=params)
        assert 400 <= response.status_code < 500, (params, response.text)
    response = client.post(
        "/auth/nope/callback", content=b'{"state": 1}', headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("value", NASTY)
def test_offers_and_me(client: TestClient[Any], value: str) -> None:
    token = sign_in(client).token
    quoted = quote(value, safe="")
    for path in (f"/api/link-offers/{quoted}/accept", f"/api/link-offers/{quoted}/decline"):
        response = client.post(path, headers=bearer(token))
        assert 400 <= response.status_code < 500, (path, response.text)
    response = client.patch("/api/me", json={"display_name": value}, headers=bearer(token))
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code == 200:
        assert "\x00" not in response.json()["identity"]["display_name"]
    response = client.get("/api/me", headers={"Authorization": "Bearer " + quoted[:200]})
    assert response.status_code in (400, 401), response.text


def test_patch_me_types(client: TestClient[Any]) -> None:
    token = sign_in(client).token
    for body in ({"display_name": 5}, {"show_in_likes": "yes"}, [], "x", {"display_name": None, "extra": 1}):
        response = client.patch("/api/me", json=body, headers=bearer(token))
        assert response.status_code in (400, 422), (body, response.text)


def test_providers_needs_a_known_site(client: TestClient[Any]) -> None:
    assert client.get("/api/auth/providers").status_code == 400
    assert client.get("/api/auth/providers", params={"site": "nope"}).json()["code"] == "site-not-found"
    assert client.get("/api/auth/providers", params={"site": "blog"}).json() == {
        "site": "blog",
        "providers": [],
    }


def test_raw_invalid_utf8_in_the_query(client: TestClient[Any]) -> None:
    for path in ("/auth/nope/start?site=%ED%A0%80&origin=%FF", "/auth/nope/callback?state=%ED%A0%80"):
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.text)
