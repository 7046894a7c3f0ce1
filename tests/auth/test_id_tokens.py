"""ID-token validation end to end: a loopback issuer returns tokens crafted by each test from its token
endpoint, and the callback must refuse every one that breaks a rule (signature, iss, aud, exp, nonce)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from tests.auth.flows import provider_url, query_of, result, start
from tests.auth.helpers import bearer
from tests.fixtures.app import make_settings
from tests.fixtures.oidc import FakeIssuer, new_key


@pytest.fixture
def client(site_db: str, fake_issuer: FakeIssuer, tmp_path: Path) -> Iterator[TestClient[Any]]:
    secret = tmp_path / "fake-secret"
    secret.write_text("fake-secret-value")
    provider = {
        "preset": "oidc",
        "issuer": fake_issuer.url,
        "client_id": fake_issuer.client_id,
        "client_secret_file": str(secret),
    }
    app = create_app(make_settings(site_db, auth={"providers": {"fake": provider}}))
    with TestClient(app=app, base_url="http://rejoinder.test") as c:  # type: ignore[arg-type]
        yield c


def _begin(client: TestClient[Any]) -> tuple[str, str]:
    """Start a flow; returns (state, nonce) from the authorization URL."""
    q = query_of(provider_url(start(client, "fake")))
    return q["state"], q["nonce"]


def _finish(client: TestClient[Any], state: str) -> Any:
    return client.get("/auth/fake/callback", params={"code": "any-code", "state": state})


def test_a_valid_token_signs_in(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    """The control case: the harness itself works, so the refusals below are the checks' doing."""
    state, nonce = _begin(client)
    fake_issuer.next_id_token = fake_issuer.sign(fake_issuer.claims(nonce))
    response = _finish(client, state)
    assert response.status_code == 200, response.text
    assert fake_issuer.token_requests[-1]["code_verifier"]  # PKCE verifier sent with the code


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"iss": "https://evil.example"}, "id-token-issuer"),
        ({"iss": None}, "id-token-issuer"),
        ({"aud": "someone-else"}, "id-token-audience"),
        ({"aud": ["someone-else", "fake-client"]}, "id-token-audience"),  # several audiences, no azp
        ({"exp": 1_000_000_000}, "id-token-expired"),
        ({"nonce": "not-the-nonce"}, "nonce-mismatch"),
        ({"nonce": None}, "nonce-mismatch"),
        ({"sub": None}, "id-token-invalid"),
    ],
)
def test_claims_are_checked(
    client: TestClient[Any], fake_issuer: FakeIssuer, overrides: dict[str, Any], code: str
) -> None:
    state, nonce = _begin(client)
    fake_issuer.next_id_token = fake_issuer.sign(fake_issuer.claims(nonce, **overrides))
    response = _finish(client, state)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == code


def test_replayed_token_from_an_earlier_flow_is_refused(
    client: TestClient[Any], fake_issuer: FakeIssuer
) -> None:
    state1, nonce1 = _begin(client)
    token = fake_issuer.sign(fake_issuer.claims(nonce1))
    fake_issuer.next_id_token = token
    assert _finish(client, state1).status_code == 200
    state2, _ = _begin(client)  # a new flow has a new nonce; the old token must not complete it
    response = _finish(client, state2)
    assert response.status_code == 403
    assert response.json()["code"] == "nonce-mismatch"


def test_bad_signature_is_refused(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    state, nonce = _begin(client)
    impostor = new_key("fake-key")  # same kid as the published key, different key material
    fake_issuer.next_id_token = fake_issuer.sign(fake_issuer.claims(nonce), key=impostor)
    response = _finish(client, state)
    assert response.status_code == 403
    assert response.json()["code"] == "id-token-signature"


def test_key_not_in_the_jwks_is_refused(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    state, nonce = _begin(client)
    fake_issuer.next_id_token = fake_issuer.sign(fake_issuer.claims(nonce), key=new_key("unknown-kid"))
    response = _finish(client, state)
    assert response.status_code == 403
    assert response.json()["code"] == "id-token-signature"


def test_alg_none_is_refused(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    state, nonce = _begin(client)

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    fake_issuer.next_id_token = f"{b64({'alg': 'none'})}.{b64(fake_issuer.claims(nonce))}."
    response = _finish(client, state)
    assert response.status_code == 403
    assert response.json()["code"] == "id-token-signature"


def test_garbage_token_is_refused(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    state, _ = _begin(client)
    fake_issuer.next_id_token = "not.a.jwt"
    response = _finish(client, state)
    assert response.status_code == 403
    assert response.json()["code"] == "id-token-signature"


def test_token_endpoint_refusal(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    state, _ = _begin(client)
    fake_issuer.next_id_token = None  # the fake answers invalid_grant
    response = _finish(client, state)
    assert response.status_code == 403
    assert response.json()["code"] == "token-rejected"
    assert "fake-secret-value" not in response.text


def test_form_post_callback(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    """Providers answering with response_mode=form_post (Apple) POST the callback; Apple's one-time `user`
    field gives the name."""
    state, nonce = _begin(client)
    claims = fake_issuer.claims(nonce, name=None)
    fake_issuer.next_id_token = fake_issuer.sign(claims)
    response = client.post(
        "/auth/fake/callback",
        data={"code": "c", "state": state, "user": '{"name": {"firstName": "Ada", "lastName": "Lovelace"}}'},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200, response.text
    assert result(response)["identity"]["display_name"] == "Ada Lovelace"


def test_rotated_keys_are_fetched_again(client: TestClient[Any], fake_issuer: FakeIssuer) -> None:
    state, nonce = _begin(client)
    fake_issuer.next_id_token = fake_issuer.sign(fake_issuer.claims(nonce))
    first = _finish(client, state)
    assert first.status_code == 200, first.text  # the key set is now cached
    fake_issuer.key = new_key("rotated-key")  # the provider publishes a new key and signs with it
    state, nonce = _begin(client)
    fake_issuer.next_id_token = fake_issuer.sign(fake_issuer.claims(nonce))
    response = _finish(client, state)
    assert response.status_code == 200, response.text
    message = result(response)
    assert message["type"] == "rejoinder:session"
    assert message["identity"]["id"] == result(first)["identity"]["id"]  # the same account, signed anew
    me = client.get("/api/me", headers=bearer(message["token"])).json()
    assert [c["provider"] for c in me["credentials"]] == ["fake"]
