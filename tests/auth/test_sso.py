"""Publisher SSO with HS256 shared secrets: the exchange POST /api/auth/sso, the identity it creates and
refreshes, key rotation, single-use tokens (jti), and a real `rejoinder serve` process."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from tests.auth.conftest import auth_client
from tests.auth.helpers import bearer, sign_in
from tests.auth.sso_support import (
    SITE,
    claims,
    exchange,
    hs_key,
    mint,
    new_secret,
    refused,
    sso_client,
    write_secret,
)
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli


@pytest.fixture
def secret() -> str:
    return new_secret()


@pytest.fixture
def client(site_db: str, tmp_path: Path, secret: str) -> Iterator[TestClient[Any]]:
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, secret, "k1")}]
    with sso_client(site_db, {"keys": keys, "label": "Blog account"}) as c:
        yield c


def test_hs256_token_signs_in(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "k1"), claims(profile="https://blog.example/u/ann"))
    response = exchange(client, token)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"token", "identity", "provider"}
    assert body["token"].startswith("rjs_")
    assert body["identity"]["display_name"] == "Ann Publisher"
    assert body["identity"]["profile_url"] == "https://blog.example/u/ann"
    assert body["provider"] == {"name": "pub", "label": "Blog account"}
    me = client.get("/api/me", headers=bearer(body["token"])).json()
    assert me["identity"]["id"] == body["identity"]["id"]
    assert me["provider"] == {"name": "pub", "label": "Blog account"}
    (credential,) = me["credentials"]
    assert (credential["kind"], credential["provider"], credential["label"]) == (
        "sso",
        "pub",
        "Ann Publisher",
    )


def test_the_same_sub_is_the_same_identity_and_the_token_refreshes_it(
    client: TestClient[Any], secret: str
) -> None:
    key = hs_key(secret, "k1")
    first = exchange(client, mint(key, claims())).json()
    posted = client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Signed in"},
        headers={"Origin": ORIGIN, **bearer(first["token"])},
    )
    assert posted.status_code == 201, posted.text
    second = exchange(client, mint(key, claims(name="Ann Renamed", profile="https://blog.example/ann")))
    assert second.status_code == 200, second.text
    identity = second.json()["identity"]
    assert identity["id"] == first["identity"]["id"]
    assert identity["display_name"] == "Ann Renamed"
    thread = client.get("/api/threads", params={"url": ARTICLE}).json()
    (comment,) = thread["comments"]
    assert comment["author"]["name"] == "Ann Renamed"  # earlier comments follow the publisher's name
    assert comment["author"]["website"] == "https://blog.example/ann"
    other = exchange(client, mint(key, claims(sub="user-43"))).json()
    assert other["identity"]["id"] != first["identity"]["id"]


def test_two_keys_at_once_for_rotation(site_db: str, tmp_path: Path) -> None:
    old, new = new_secret(), new_secret()
    keys = [
        {"kid": "2026-01", "secret_file": write_secret(tmp_path, old, "old")},
        {"kid": "2026-02", "secret_file": write_secret(tmp_path, new, "new")},
    ]
    with sso_client(site_db, {"keys": keys}) as client:
        a = exchange(client, mint(hs_key(old, "2026-01"), claims()))
        b = exchange(client, mint(hs_key(new, "2026-02"), claims()))
        assert a.status_code == 200, a.text
        assert b.status_code == 200, b.text
        assert a.json()["identity"]["id"] == b.json()["identity"]["id"]
        # Each kid verifies only with its own secret: the new kid with the old secret is refused.
        refused(exchange(client, mint(hs_key(old, "2026-02"), claims())), 401, "sso-signature-invalid")
        # With two keys, a token must say which (kid).
        refused(exchange(client, mint(hs_key(new, "x"), claims(), kid=None)), 401, "sso-key-unknown")


def test_a_single_key_needs_no_kid(client: TestClient[Any], secret: str) -> None:
    response = exchange(client, mint(hs_key(secret, "k1"), claims(), kid=None))
    assert response.status_code == 200, response.text
    me = client.get("/api/me", headers=bearer(response.json()["token"]))
    assert me.status_code == 200 and me.json()["identity"]["display_name"] == "Ann Publisher", me.text


def test_secret_from_an_environment_variable(
    site_db: str, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUB_SSO_SECRET", secret)
    with sso_client(site_db, {"keys": [{"kid": "k1", "secret_env": "PUB_SSO_SECRET"}]}) as client:
        response = exchange(client, mint(hs_key(secret, "k1"), claims()))
        assert response.status_code == 200, response.text
        me = client.get("/api/me", headers=bearer(response.json()["token"]))
        assert me.json()["identity"]["display_name"] == "Ann Publisher", me.text


def test_a_token_with_jti_is_used_once(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "k1"), claims(jti="once-1"))
    assert exchange(client, token).status_code == 200
    body = refused(exchange(client, token), 401, "sso-token-replayed")
    assert token not in str(body)
    # Another token with another jti is fine; a token without jti may be exchanged again (documented).
    assert exchange(client, mint(hs_key(secret, "k1"), claims(jti="once-2"))).status_code == 200
    plain = mint(hs_key(secret, "k1"), claims())
    assert exchange(client, plain).status_code == 200
    assert exchange(client, plain).status_code == 200


def test_verified_email_is_kept_but_never_merges_accounts(client: TestClient[Any], secret: str) -> None:
    key = hs_key(secret, "k1")
    first = exchange(client, mint(key, claims(email="Ann@Blog.example", email_verified=True))).json()
    me = client.get("/api/me", headers=bearer(first["token"])).json()
    assert me["email"] == "ann@blog.example"
    # Someone else already holds bob@…: the SSO sign-in still gets a session of its own, no offer.
    sign_in(client, "bob-at-google", email="bob@blog.example", verified=True)
    other = exchange(client, mint(key, claims(sub="bob", email="bob@blog.example", email_verified=True)))
    assert other.status_code == 200, other.text
    assert client.get("/api/me", headers=bearer(other.json()["token"])).json()["email"] is None
    # An unverified address is not recorded as the identity's.
    third = exchange(client, mint(key, claims(sub="carl", email="carl@blog.example"))).json()
    assert client.get("/api/me", headers=bearer(third["token"])).json()["email"] is None


def test_picture_is_kept_with_the_credential(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "k1"), claims(picture="https://blog.example/ann.png"))
    assert exchange(client, token).status_code == 200
    bad = mint(hs_key(secret, "k1"), claims(picture="javascript:alert(1)"))
    refused(exchange(client, bad), 401, "sso-claim-invalid")


def test_page_origin_must_be_the_sites(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "k1"), claims())
    response = client.post(
        "/api/auth/sso", json={"site": SITE, "token": token}, headers={"Origin": "https://evil.example"}
    )
    refused(response, 403, "origin-not-allowed")
    # A publisher's backend (no Origin header) may exchange tokens itself.
    assert client.post("/api/auth/sso", json={"site": SITE, "token": token}).status_code == 200


def test_unknown_site_and_missing_fields(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "k1"), claims())
    refused(exchange(client, token, site="nope"), 404, "site-not-found")
    for body in ({"site": SITE}, {"site": SITE, "token": token, "x": 1}):
        response = client.post("/api/auth/sso", json=body)
        assert response.status_code == 400 and response.json()["code"] == "invalid-request", response.text
    refused(exchange(client, token, provider="google"), 404, "provider-not-found")


def test_a_site_without_sso_says_so(site_db: str, tmp_path: Path, secret: str) -> None:
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, secret, "k1")}]
    with sso_client(site_db, {"keys": keys, "sites": ["news"]}) as client:
        refused(exchange(client, mint(hs_key(secret, "k1"), claims())), 404, "sso-not-configured")


def test_several_sso_providers_need_a_name(site_db: str, tmp_path: Path, secret: str) -> None:
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, secret, "k1")}]
    providers = {"one": {"preset": "sso", "keys": keys}, "two": {"preset": "sso", "keys": keys}}
    with auth_client(site_db, auth={"providers": providers}) as client:
        token = mint(hs_key(secret, "k1"), claims())
        refused(exchange(client, token), 422, "sso-provider-required")
        response = exchange(client, token, provider="two")
        assert response.status_code == 200, response.text
        assert response.json()["provider"]["name"] == "two"


def test_a_short_or_missing_secret_is_a_configuration_error_without_the_secret(
    site_db: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    short = "short-secret-1234"
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, short, "short")}]
    with sso_client(site_db, {"keys": keys}) as client:
        token = mint(hs_key(short * 3, "k1"), claims())
        body = refused(exchange(client, token), 503, "sign-in-misconfigured")
    logged = capfd.readouterr().err
    assert "shorter than 32 bytes" in logged  # the log names the setting…
    assert short not in str(body) and short not in logged  # …never the secret
    with sso_client(site_db, {"keys": [{"kid": "k1", "secret_env": "NOT_SET_ANYWHERE_1"}]}) as client:
        refused(exchange(client, "a.b.c"), 503, "sign-in-misconfigured")


def test_secrets_never_reach_logs_or_bodies(
    client: TestClient[Any],
    secret: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        good = exchange(client, mint(hs_key(secret, "k1"), claims()))
        bad = exchange(client, mint(hs_key(new_secret(), "k1"), claims()))
    assert good.status_code == 200 and bad.status_code == 401
    assert secret not in good.text and secret not in bad.text
    logged = capfd.readouterr()
    assert secret not in logged.out + logged.err + caplog.text


def test_a_real_server_exchanges_tokens(site_db: str, tmp_path: Path, server_factory: Any) -> None:
    """The same exchange against a `rejoinder serve` process configured from a file."""
    secret = new_secret()
    secret_file = write_secret(tmp_path, secret, "pub-secret")
    config = tmp_path / "rejoinder.toml"
    config.write_text(
        '[auth.providers.pub]\npreset = "sso"\nlogin_url = "https://blog.example/login"\n'
        f'keys = [{{kid = "k1", secret_file = "{secret_file}"}}]\n'
    )
    server = server_factory(site_db, env={"REJOINDER_CONFIG": str(config)})
    token = mint(hs_key(secret, "k1"), claims())
    response = httpx.post(f"{server.url}/api/auth/sso", json={"site": SITE, "token": token}, timeout=10)
    assert response.status_code == 200, response.text
    session = response.json()["token"]
    me = httpx.get(f"{server.url}/api/me", headers=bearer(session), timeout=10)
    assert me.json()["credentials"][0]["kind"] == "sso"
    expired = mint(hs_key(secret, "k1"), claims(exp=1_000_000_000))
    response = httpx.post(f"{server.url}/api/auth/sso", json={"site": SITE, "token": expired}, timeout=10)
    assert response.status_code == 401 and response.json()["code"] == "sso-token-expired"
    assert secret not in server.log.read_text(errors="replace")


def test_listed_with_its_login_page_only(site_db: str, tmp_path: Path, secret: str) -> None:
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, secret, "k1")}]
    providers = {
        "members": {
            "preset": "sso",
            "keys": keys,
            "login_url": "https://blog.example/login",
            "label": "Members",
        },
        "silent": {"preset": "sso", "keys": keys},
        "mastodon": {},
    }
    with auth_client(site_db, auth={"providers": providers}) as client:
        listed = client.get("/api/auth/providers", params={"site": SITE}).json()["providers"]
        # The popup pages have nothing to do for SSO.
        page = client.get("/auth/members/start", params={"site": SITE, "origin": ORIGIN})
    by_name = {p["name"]: p for p in listed}
    assert set(by_name) == {"members", "mastodon"}  # without login_url, SSO is by token only: not a button
    assert by_name["members"]["kind"] == "sso"
    assert by_name["members"]["start"] == "https://blog.example/login"
    assert by_name["members"]["label"] == "Members"
    assert by_name["mastodon"]["start"] == "/auth/mastodon/start"
    assert page.status_code == 404 and page.json()["code"] == "provider-not-found"


def test_a_deeply_nested_token_is_malformed_not_a_crash(client: TestClient[Any]) -> None:
    """A token's header and payload are JSON: 5,000 `[` in either would exhaust the parser's stack (a
    RecursionError, a 500) unless the depth is checked before any parser runs (defect 2 of #10)."""
    deep = base64.urlsafe_b64encode(b"[" * 5_000).rstrip(b"=").decode()
    header = base64.urlsafe_b64encode(b'{"alg":"HS256"}').rstrip(b"=").decode()
    for token in (f"{deep}.e30.c2ln", f"{header}.{deep}.c2ln"):
        body = refused(exchange(client, token), 400, "sso-token-malformed")
        assert body["detail"] == "The token's header or payload is nested too deeply"
