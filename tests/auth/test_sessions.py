"""Sessions: opaque bearer tokens, stored as hashes; expired, revoked and tampered tokens are refused."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.auth.sessions import Session, check_session, new_token, parse_bearer, token_hash
from rejoinder.errors import Unauthorized
from rejoinder.services.context import Context
from tests.auth.helpers import app_ctx, bearer, sign_in
from tests.fixtures.app import ORIGIN


def test_token_is_long_random_and_prefixed() -> None:
    token = new_token(secrets.token_urlsafe)
    assert token.startswith("rjs_") and len(token) >= 4 + 43
    assert new_token(secrets.token_urlsafe) != token
    assert parse_bearer(f"Bearer {token}") == token
    assert token_hash(token) != token and len(token_hash(token)) == 64


@pytest.mark.parametrize(
    "header", [None, "", "Basic abc", "Bearer", "Bearer short", "Bearer rjs_<script>" + "a" * 40]
)
def test_malformed_headers_are_401(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        parse_bearer(header)


def test_check_session_states() -> None:
    live = Session(identity_id="i", provider="p", label="P", created=0, expires=100, revoked=None)
    assert check_session(live, 99) is live
    with pytest.raises(Unauthorized) as exc:
        check_session(live, 100)
    assert exc.value.code == "session-expired"
    with pytest.raises(Unauthorized) as exc:
        check_session(Session(identity_id="i", provider="p", label="P", created=0, expires=100, revoked=5), 1)
    assert exc.value.code == "session-revoked"
    with pytest.raises(Unauthorized) as exc:
        check_session(None, 1)
    assert exc.value.code == "session-invalid"


def test_me_with_a_session(client: TestClient[Any]) -> None:
    outcome = sign_in(client)
    assert outcome.kind == "session"
    response = client.get("/api/me", headers={**bearer(outcome.token), "Origin": ORIGIN})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["identity"]["display_name"] == "Alice Example"
    assert body["provider"] == {"name": "test", "label": "Test"}
    assert body["identity"]["avatar"].startswith("/api/avatars/")
    assert [(c["kind"], c["provider"], c["label"]) for c in body["credentials"]] == [
        ("oidc", "test", "Alice Example")
    ]
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_db_keeps_only_the_hash(client: TestClient[Any], site_db: str) -> None:
    outcome = sign_in(client)
    assert outcome.token
    import sqlalchemy as sa

    from rejoinder.store.schema import sessions

    async def rows() -> list[Any]:
        async with app_ctx(client).engine.connect() as conn:
            return list(await conn.execute(sa.select(sessions)))

    with client.portal() as portal:
        stored = portal.call(rows)
    assert len(stored) == 1
    assert outcome.token not in repr(tuple(stored[0]))
    assert stored[0].token_hash == token_hash(outcome.token)


@pytest.mark.parametrize("header", [None, "Bearer rjs_" + "A" * 43, "Token abc"])
def test_me_without_valid_token_is_401_problem(client: TestClient[Any], header: str | None) -> None:
    response = client.get("/api/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] in {"session-required", "session-invalid"}


def test_tampered_token_is_401(client: TestClient[Any]) -> None:
    token = sign_in(client).token
    assert token
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get("/api/me", headers=bearer(flipped))
    assert response.status_code == 401
    assert response.json()["code"] == "session-invalid"


def test_logout_revokes(client: TestClient[Any]) -> None:
    token = sign_in(client).token
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    assert client.post("/api/logout", headers=bearer(token)).status_code == 204
    response = client.get("/api/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "session-revoked"
    assert client.post("/api/logout", headers=bearer(token)).status_code == 204  # twice is fine
    assert client.post("/api/logout", headers=bearer("rjs_" + "x" * 43)).status_code == 401


def test_expired_session_is_401(client: TestClient[Any]) -> None:
    ctx: Context = app_ctx(client)
    token = sign_in(client).token
    real_clock = ctx.clock
    ctx.clock = lambda: real_clock() + (ctx.settings.auth.session_days * 86400 + 1) * 1_000_000
    try:
        response = client.get("/api/me", headers=bearer(token))
    finally:
        ctx.clock = real_clock
    assert response.status_code == 401
    assert response.json()["code"] == "session-expired"
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_patch_me(client: TestClient[Any]) -> None:
    token = sign_in(client).token
    response = client.patch(
        "/api/me", json={"display_name": "  Ally   E.  ", "show_in_likes": True}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert response.json()["identity"]["display_name"] == "Ally E."
    assert response.json()["identity"]["show_in_likes"] is True
    bad = client.patch("/api/me", json={"display_name": " "}, headers=bearer(token))
    assert bad.status_code == 422 and bad.json()["code"] == "name-empty"
    unknown = client.patch("/api/me", json={"admin": True}, headers=bearer(token))
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid-request", unknown.text
    assert client.patch("/api/me", json={"display_name": "X"}).status_code == 401


def test_add_credential_to_a_signed_in_identity(client: TestClient[Any]) -> None:
    from rejoinder.domain.identity import CredentialKind, Profile
    from rejoinder.errors import Conflict
    from rejoinder.services import accounts

    outcome = sign_in(client)
    ctx = app_ctx(client)
    passkey = Profile(provider="blog.example", subject="cred-1", kind=CredentialKind.PASSKEY, name="Laptop")

    async def add() -> Any:
        reader = await accounts.authenticate(ctx, f"Bearer {outcome.token}")
        return await accounts.add_credential(ctx, reader, passkey, data={"public_key": "pk", "sign_count": 0})

    with client.portal() as portal:
        added = portal.call(add)
        assert added.kind is CredentialKind.PASSKEY
        with pytest.raises(Conflict):
            portal.call(add)
    me = client.get("/api/me", headers=bearer(outcome.token)).json()
    assert ("passkey", "blog.example", "Laptop") in [
        (c["kind"], c["provider"], c["label"]) for c in me["credentials"]
    ]
