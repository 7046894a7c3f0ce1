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
        # No provider is called `nope`; whichever of site and provider is looked up first is not found.
        assert response.status_code == 404, (params, response.text)
        assert response.json()["code"] in {"site-not-found", "provider-not-found"}, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("value", NASTY)
def test_callback_parameters(client: TestClient[Any], value: str) -> None:
    for params in ({"state": value}, {"state": value, "code": value}, {"error": value, "state": "x" * 43}):
        response = client.get("/auth/nope/callback", params=params)
        assert response.status_code == 403, (params, response.text)
        assert response.json()["code"] == "state-invalid", response.text
    response = client.post(
        "/auth/nope/callback", content=b'{"state": 1}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403 and response.json()["code"] == "state-invalid", response.text


@pytest.mark.parametrize("value", NASTY)
def test_offers_and_me(client: TestClient[Any], value: str) -> None:
    token = sign_in(client).token
    quoted = quote(value, safe="")
    for path in (f"/api/link-offers/{quoted}/accept", f"/api/link-offers/{quoted}/decline"):
        response = client.post(path, headers=bearer(token))
        assert response.status_code == 404, (path, response.text)
        # a value with a slash does not reach the route at all
        assert response.json()["code"] == ("not-found" if "/" in value else "link-offer-not-found")
    response = client.patch("/api/me", json={"display_name": value}, headers=bearer(token))
    refused = {"\x00": "nul-byte", "a" * 5000: "name-too-long", "\u202e": "name-empty", " ": "name-empty"}
    if value in refused:
        assert response.status_code == 422 and response.json()["code"] == refused[value], response.text
    else:
        assert response.status_code == 200, response.text
        assert response.json()["identity"]["display_name"] == value
    response = client.get("/api/me", headers={"Authorization": "Bearer " + quoted[:200]})
    assert response.status_code == 401, response.text


def test_patch_me_types(client: TestClient[Any]) -> None:
    token = sign_in(client).token
    for body in ({"display_name": 5}, {"show_in_likes": "yes"}, [], "x", {"display_name": None, "extra": 1}):
        response = client.patch("/api/me", json=body, headers=bearer(token))
        assert response.status_code == 400 and response.json()["code"] == "invalid-request", (
            body,
            response.text,
        )


def test_providers_needs_a_known_site(client: TestClient[Any]) -> None:
    assert client.get("/api/auth/providers").status_code == 400
    assert client.get("/api/auth/providers", params={"site": "nope"}).json()["code"] == "site-not-found"
    assert client.get("/api/auth/providers", params={"site": "blog"}).json() == {
        "site": "blog",
        "providers": [],
    }


def test_raw_invalid_utf8_in_the_query(client: TestClient[Any]) -> None:
    for path, status, code in (
        ("/auth/nope/start?site=%ED%A0%80&origin=%FF", 404, "site-not-found"),
        ("/auth/nope/callback?state=%ED%A0%80", 403, "state-invalid"),
    ):
        response = client.get(path)
        assert response.status_code == status and response.json()["code"] == code, (path, response.text)
