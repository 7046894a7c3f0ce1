"""The authorization-code + PKCE flow against a real OpenID provider (node-oidc-provider on loopback),
driven over HTTP like a popup would be: start page, provider login and consent, callback page.
Each security test below fails if the check it names is removed."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from prometheus_client import REGISTRY

from rejoinder.app import create_app
from rejoinder.auth.sessions import token_hash
from rejoinder.store.schema import auth_tickets
from tests.auth.flows import callback, op_config, provider_url, query_of, result, sign_in_at_op, start, target
from tests.auth.helpers import app_ctx, bearer, sign_in
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.oidc import OpenIdProvider, op_login


@pytest.fixture
def secret_file(tmp_path: Path, openid_provider: OpenIdProvider) -> str:
    path = tmp_path / "op-secret"
    path.write_text(openid_provider.client_secret + "\n")
    return str(path)


@pytest.fixture
def client(site_db: str, openid_provider: OpenIdProvider, secret_file: str) -> Iterator[TestClient[Any]]:
    app = create_app(op_config(site_db, openid_provider, secret_file))
    with TestClient(app=app, base_url="http://rejoinder.test") as c:  # type: ignore[arg-type]
        c.rejoinder = app  # type: ignore[attr-defined]
        yield c


def signins(outcome: str) -> float:
    """The sign-ins at the loopback provider GET /metrics reports (the process's counter)."""
    return REGISTRY.get_sample_value("rejoinder_signins_total", {"provider": "op", "outcome": outcome}) or 0.0


def test_full_flow_signs_in_with_pkce_and_nonce(client: TestClient[Any]) -> None:
    counted = signins("ok")
    page = start(client)
    assert "Connecting to Loopback ID…" in page.text
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert page.headers["referrer-policy"] == "same-origin"
    url = provider_url(page)
    q = query_of(url)
    assert q["code_challenge_method"] == "S256"
    assert q["response_type"] == "code" and q["client_id"] == "rejoinder-test"
    assert q["redirect_uri"] == "http://rejoinder.test/auth/op/callback"
    assert len(q["state"]) >= 32 and len(q["nonce"]) >= 20 and len(q["code_challenge"]) == 43

    done = callback(client, op_login(url, "alice"))
    assert done.status_code == 200, done.text
    message = result(done)
    assert message["type"] == "rejoinder:session"
    assert message["identity"]["display_name"] == "User alice"
    assert message["provider"] == {"name": "op", "label": "Loopback ID"}
    assert target(done) == ORIGIN
    assert "'*'" not in done.text and '"*"' not in done.text
    assert "script-src 'self';" in done.headers["content-security-policy"]  # no inline script (#10)
    assert re.search(r'<script src="/static/handback\.js\?v=[0-9a-f]+" defer></script>', done.text)

    me = client.get("/api/me", headers=bearer(message["token"])).json()
    assert me["identity"]["id"] == message["identity"]["id"]
    assert me["email"] == "alice@example.test"
    assert me["credentials"][0]["provider"] == "op"

    again = result(sign_in_at_op(client, "alice"))
    assert again["identity"]["id"] == message["identity"]["id"]  # same account, same identity
    assert again["token"] != message["token"]
    other = result(sign_in_at_op(client, "bob"))
    assert other["identity"]["id"] != message["identity"]["id"]
    assert signins("ok") - counted == 3


def test_stored_verifier_matches_the_challenge(client: TestClient[Any]) -> None:
    url = provider_url(start(client))
    ticket = _ticket(client, query_of(url)["state"])
    verifier = ticket["saved"]["verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query_of(url)["code_challenge"] == digest
    assert ticket["origin"] == ORIGIN and ticket["mode"] == "popup"


# --- state and browser binding -------------------------------------------------------------------------


def test_missing_state_is_refused(client: TestClient[Any]) -> None:
    url = op_login(provider_url(start(client)), "alice")
    no_state = url.replace("state=", "xstate=")
    response = client.get(no_state)
    assert response.status_code == 403
    assert response.json()["code"] == "state-invalid"


def test_wrong_state_is_refused(client: TestClient[Any]) -> None:
    url = op_login(provider_url(start(client)), "alice")
    state = query_of(url)["state"]
    response = client.get(url.replace(state, "W" * len(state)))
    assert response.status_code == 403
    assert response.json()["code"] == "state-invalid"


def test_callback_is_single_use(client: TestClient[Any]) -> None:
    url = op_login(provider_url(start(client)), "alice")
    assert callback(client, url).status_code == 200
    replay = client.get(url)
    assert replay.status_code == 403
    assert replay.json()["code"] == "state-invalid"


def test_login_csrf_callback_needs_the_browser_binding(client: TestClient[Any]) -> None:
    """An attacker's own callback URL opened in a victim's browser must not sign the victim in."""
    attacker_url = op_login(provider_url(start(client)), "mallory")
    client.cookies.clear()  # the victim's browser: no binding cookie at all
    response = client.get(attacker_url)
    assert response.status_code == 403
    assert response.json()["code"] == "browser-mismatch"

    attacker_url2 = op_login(provider_url(start(client)), "mallory")
    client.cookies.clear()
    start(client)  # the victim's browser has a binding cookie of its own
    response = client.get(attacker_url2)
    assert response.status_code == 403
    assert response.json()["code"] == "browser-mismatch"


def test_flow_expires(client: TestClient[Any]) -> None:
    url = op_login(provider_url(start(client)), "alice")
    ctx = app_ctx(client)
    real = ctx.clock
    ctx.clock = lambda: real() + (ctx.settings.auth.flow_seconds + 1) * 1_000_000
    try:
        response = client.get(url)
    finally:
        ctx.clock = real
    assert response.status_code == 403
    assert response.json()["code"] == "flow-expired"


# --- PKCE ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("verifier", ["", "W" * 64])
def test_wrong_or_missing_pkce_verifier_is_refused(client: TestClient[Any], verifier: str) -> None:
    """The provider only gives tokens for the verifier whose challenge started the flow."""
    url = op_login(provider_url(start(client)), "alice")
    state = query_of(url)["state"]
    flow = _ticket(client, state)
    flow["saved"]["verifier"] = verifier
    _set_ticket(client, state, flow)
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "token-rejected"


# --- origins and redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://blog.example.evil.example",
        "http://blog.example",
        "https://blog.example:8443",
        "null",
        "*",
        "javascript:alert(1)",
    ],
)
def test_start_refuses_origins_the_site_does_not_allow(client: TestClient[Any], origin: str) -> None:
    response = client.get("/auth/op/start", params={"site": "blog", "origin": origin})
    assert response.status_code == 403
    assert response.json()["code"] == "origin-not-allowed"


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "https://blog.example@evil.example/",
    ],
)
def test_redirect_mode_refuses_foreign_return_urls(client: TestClient[Any], back: str) -> None:
    response = client.get(
        "/auth/op/start", params={"site": "blog", "origin": ORIGIN, "mode": "redirect", "return": back}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "return-not-allowed"


def test_start_validates_site_provider_and_mode(client: TestClient[Any]) -> None:
    assert client.get("/auth/op/start", params={"origin": ORIGIN}).json()["code"] == "site-required"
    assert client.get("/auth/op/start", params={"site": "nope", "origin": ORIGIN}).status_code == 404
    assert client.get("/auth/nope/start", params={"site": "blog", "origin": ORIGIN}).json()["code"] == (
        "provider-not-found"
    )
    bad_mode = client.get("/auth/op/start", params={"site": "blog", "origin": ORIGIN, "mode": "iframe"})
    assert bad_mode.status_code == 422 and bad_mode.json()["code"] == "mode-invalid"
    html_error = start(client, origin="https://evil.example")
    assert html_error.status_code == 403 and "origin-not-allowed" in html_error.text
    assert "postMessage" not in html_error.text  # an unverified origin is told nothing


def test_origin_removed_during_the_flow_is_refused_at_callback(client: TestClient[Any], site_db: str) -> None:
    url = op_login(provider_url(start(client)), "alice")
    run_cli(site_db, "site", "origin", "blog", "--add", "https://other.example", "--remove", ORIGIN)
    app_ctx(client).sites._loaded = 0  # the registry reloads at its next miss; make that now
    response = callback(client, url)
    assert response.status_code == 403
    assert "origin-not-allowed" in response.text
    assert "rejoinder:session" not in response.text


def test_redirect_mode_returns_to_the_article_with_the_token_in_the_fragment(client: TestClient[Any]) -> None:
    page = start(client, mode="redirect", **{"return": ARTICLE + "?x=1#comments"})
    response = client.get(op_login(provider_url(page), "alice"), follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(ARTICLE + "?x=1#rejoinder-session=rjs_")
    token = location.split("#rejoinder-session=", 1)[1]
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_provider_refusal_is_reported_without_echoing(client: TestClient[Any]) -> None:
    failed, ok = signins("failed"), signins("ok")
    url = op_login(provider_url(start(client)), "alice")
    state = query_of(url)["state"]
    response = callback(
        client, f"/auth/op/callback?state={state}&error=access_denied&error_description=%3Cscript%3Ex"
    )
    assert response.status_code == 403
    assert "provider-denied" in response.text and "<script>x" not in response.text
    assert target(response) == ORIGIN
    assert result(response) == {
        "type": "rejoinder:error",
        "code": "provider-denied",
        "message": "You cancelled signing in at the provider",
    }
    assert (signins("failed") - failed, signins("ok") - ok) == (1, 0)


# --- linking ------------------------------------------------------------------------------------------


def test_matching_verified_email_gives_a_link_offer_not_a_merge(client: TestClient[Any]) -> None:
    first = sign_in(client, "alice-elsewhere", provider="other", email="alice@example.test", verified=True)
    assert first.kind == "session" and first.identity is not None
    offered = sign_in_at_op(client, "alice")
    message = result(offered)
    assert message["type"] == "rejoinder:link-offer"
    assert message["existing"] == {"display_name": "Alice Example", "via": ["other"]}
    assert "token" not in message
    offer = message["offer"]

    # Someone else signed in cannot take it; the right identity can.
    stranger = sign_in(client, "stranger", provider="other").token
    denied = client.post(f"/api/link-offers/{offer}/accept", headers=bearer(stranger))
    assert denied.status_code == 403 and denied.json()["code"] == "link-offer-other-identity"
    offered2 = result(sign_in_at_op(client, "alice"))["offer"]  # a fresh offer (the first was used up)
    accepted = client.post(f"/api/link-offers/{offered2}/accept", headers=bearer(first.token))
    assert accepted.status_code == 200, accepted.text
    assert {c["provider"] for c in accepted.json()["credentials"]} == {"other", "op"}
    now_direct = result(sign_in_at_op(client, "alice"))
    assert now_direct["type"] == "rejoinder:session"
    assert now_direct["identity"]["id"] == first.identity.id


def test_declined_link_offer_makes_a_separate_identity(client: TestClient[Any]) -> None:
    first = sign_in(client, "carol-elsewhere", provider="other", email="carol@example.test", verified=True)
    offer = result(sign_in_at_op(client, "carol"))["offer"]
    declined = client.post(f"/api/link-offers/{offer}/decline")
    assert declined.status_code == 200, declined.text
    body = declined.json()
    assert first.identity is not None and body["identity"]["id"] != first.identity.id
    assert client.get("/api/me", headers=bearer(body["token"])).json()["email"] is None
    again = client.post(f"/api/link-offers/{offer}/decline")
    assert again.status_code == 404 and again.json()["code"] == "link-offer-not-found"


def test_unverified_email_never_offers_a_link(client: TestClient[Any]) -> None:
    sign_in(client, "x", provider="other", email="unverified-dan@example.test", verified=True)
    message = result(sign_in_at_op(client, "unverified-dan"))
    assert message["type"] == "rejoinder:session"


def test_link_ticket_adds_a_sign_in_to_the_current_identity(client: TestClient[Any]) -> None:
    me = sign_in(client, "erin", provider="other")
    ticket = client.post("/api/me/link-ticket", headers=bearer(me.token)).json()["ticket"]
    message = result(sign_in_at_op(client, "erin-op", link=ticket))
    assert me.identity is not None and message["identity"]["id"] == me.identity.id
    creds = client.get("/api/me", headers=bearer(me.token)).json()["credentials"]
    assert {c["provider"] for c in creds} == {"other", "op"}
    # A ticket is single use.
    reused = client.get("/auth/op/start", params={"site": "blog", "origin": ORIGIN, "link": ticket})
    assert reused.status_code == 404 and reused.json()["code"] == "link-ticket-not-found"
    # An account that already belongs to another identity cannot be added.
    other = sign_in(client, "frank", provider="other")
    ticket2 = client.post("/api/me/link-ticket", headers=bearer(other.token)).json()["ticket"]
    taken = sign_in_at_op(client, "erin-op", link=ticket2)
    assert taken.status_code == 409 and "credential-in-use" in taken.text


# --- helpers ------------------------------------------------------------------------------------------


def _ticket(client: TestClient[Any], state: str) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with app_ctx(client).engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(auth_tickets.c.payload).where(auth_tickets.c.id_hash == token_hash(state))
                )
            ).one()
            return dict(row[0])

    with client.portal() as portal:
        return portal.call(go)


def _set_ticket(client: TestClient[Any], state: str, payload: dict[str, Any]) -> None:
    async def go() -> None:
        async with app_ctx(client).engine.begin() as conn:
            await conn.execute(
                sa.update(auth_tickets)
                .where(auth_tickets.c.id_hash == token_hash(state))
                .values(payload=payload)
            )

    with client.portal() as portal:
        portal.call(go)


def test_callback_from_another_issuer_is_refused(client: TestClient[Any]) -> None:
    """RFC 9207: a callback naming another issuer is a mix-up attempt."""
    url = op_login(provider_url(start(client)), "alice")
    assert "iss=" in url  # node-oidc-provider sends it
    q = query_of(url)
    forged = url.replace(
        "iss=" + q["iss"].replace(":", "%3A").replace("/", "%2F"), "iss=https%3A%2F%2Fevil.example"
    )
    assert forged != url
    response = client.get(forged)
    assert response.status_code == 403
    assert response.json()["code"] == "issuer-mismatch"


def test_abandoned_flows_are_cleaned_up(client: TestClient[Any]) -> None:
    first = query_of(provider_url(start(client)))["state"]
    ctx = app_ctx(client)
    real = ctx.clock
    ctx.clock = lambda: real() + (ctx.settings.auth.flow_seconds + 1) * 1_000_000
    try:
        start(client)
    finally:
        ctx.clock = real
    with pytest.raises(sa.exc.NoResultFound):
        _ticket(client, first)
