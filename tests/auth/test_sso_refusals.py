"""Every way a publisher-SSO token is refused, one test each: each would pass the exchange (200) if the
check it names were missing, because everything else about the token is valid (see the control test)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import RSAKey
from litestar.testing import TestClient

from tests.auth.sso_support import (
    SITE,
    b64,
    claims,
    exchange,
    hs_key,
    mint,
    new_secret,
    refused,
    serve_jwks,
    sso_client,
    unsigned,
    write_secret,
)
from tests.fixtures.app import run_cli

ISSUER = "https://blog.example"


@pytest.fixture(scope="module")
def rsa() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS256"})


@pytest.fixture
def secret() -> str:
    return new_secret()


@pytest.fixture
def client(site_db: str, tmp_path: Path, secret: str, rsa: RSAKey) -> Iterator[TestClient[Any]]:
    """Both kinds of keys at once (an HS256 secret `hs-1` and a JWKS with `rsa-1`) and an issuer."""
    keys = [{"kid": "hs-1", "secret_file": write_secret(tmp_path, secret, "hs-1")}]
    with serve_jwks([rsa]) as jwks:
        provider = {"keys": keys, "jwks_url": jwks.url, "issuer": ISSUER}
        with sso_client(site_db, provider) as c:
            yield c


def good(**overrides: Any) -> dict[str, Any]:
    return claims(**{"iss": ISSUER, **overrides})


def test_control_both_keys_sign_in(client: TestClient[Any], secret: str, rsa: RSAKey) -> None:
    """The harness works: valid tokens of both kinds are accepted, so each refusal below is a check's."""
    for key, alg in ((hs_key(secret, "hs-1"), "HS256"), (rsa, "RS256")):
        response = exchange(client, mint(key, good(), alg=alg))
        assert response.status_code == 200, response.text
        assert response.json()["provider"]["name"] == "pub"


def test_wrong_secret(client: TestClient[Any]) -> None:
    token = mint(hs_key(new_secret(), "hs-1"), good())
    refused(exchange(client, token), 401, "sso-signature-invalid")


def test_wrong_rsa_key_under_the_right_kid(client: TestClient[Any]) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    refused(exchange(client, mint(impostor, good(), alg="RS256")), 401, "sso-signature-invalid")


def test_altered_payload(client: TestClient[Any], secret: str) -> None:
    header, _, signature = mint(hs_key(secret, "hs-1"), good()).split(".")
    forged = b64(json.dumps(good(sub="admin")).encode())
    refused(exchange(client, f"{header}.{forged}.{signature}"), 401, "sso-signature-invalid")


def test_alg_none(client: TestClient[Any]) -> None:
    refused(exchange(client, unsigned(good(), kid="hs-1")), 401, "sso-algorithm-refused")


def test_hs256_signed_with_the_public_rsa_key(client: TestClient[Any], rsa: RSAKey) -> None:
    """Algorithm confusion: an HS256 token naming the RSA key, MACed with that key's public PEM."""
    pem = rsa.as_pem(private=False)
    head = b64(json.dumps({"alg": "HS256", "kid": "rsa-1"}).encode())
    body = b64(json.dumps(good()).encode())
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    token = f"{head}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    refused(exchange(client, token), 401, "sso-algorithm-refused")


def test_rs256_naming_an_hs256_key(client: TestClient[Any], rsa: RSAKey) -> None:
    refused(exchange(client, mint(rsa, good(), alg="RS256", kid="hs-1")), 401, "sso-algorithm-refused")


def test_unsupported_algorithm(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(), alg="HS512")
    refused(exchange(client, token), 401, "sso-algorithm-refused")


def test_unknown_kid(client: TestClient[Any], secret: str) -> None:
    refused(exchange(client, mint(hs_key(secret, "hs-9"), good())), 401, "sso-key-unknown")


def test_expired(client: TestClient[Any], secret: str) -> None:
    now = int(time.time())
    token = mint(hs_key(secret, "hs-1"), good(iat=now - 400, exp=now - 120))
    refused(exchange(client, token), 401, "sso-token-expired")


def test_missing_exp(client: TestClient[Any], secret: str) -> None:
    body = refused(exchange(client, mint(hs_key(secret, "hs-1"), good(exp=None))), 401, "sso-claim-missing")
    assert "exp" in body["detail"]


def test_exp_not_a_number(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(exp="tomorrow"))
    refused(exchange(client, token), 401, "sso-claim-invalid")


def test_lives_too_long(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(exp=int(time.time()) + 86400))
    refused(exchange(client, token), 401, "sso-token-lifetime")


def test_issued_too_long_ago(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(iat=int(time.time()) - 3600))
    refused(exchange(client, token), 401, "sso-token-expired")


def test_not_yet_valid(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(nbf=int(time.time()) + 200))
    refused(exchange(client, token), 401, "sso-token-not-yet-valid")


def test_issued_in_the_future(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(iat=int(time.time()) + 200))
    refused(exchange(client, token), 401, "sso-token-not-yet-valid")


def test_wrong_issuer(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(iss="https://evil.example"))
    refused(exchange(client, token), 401, "sso-issuer")


def test_missing_issuer(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), claims())  # no iss at all, while the provider names one
    refused(exchange(client, token), 401, "sso-claim-missing")


def test_wrong_audience(client: TestClient[Any], secret: str) -> None:
    token = mint(hs_key(secret, "hs-1"), good(aud="someone-else"))
    refused(exchange(client, token), 401, "sso-audience")


def test_missing_audience(client: TestClient[Any], secret: str) -> None:
    refused(exchange(client, mint(hs_key(secret, "hs-1"), good(aud=None))), 401, "sso-claim-missing")


def test_token_for_another_site(client: TestClient[Any], secret: str, site_db: str) -> None:
    """Both sites use the same provider and keys; the default audience is the site's name."""
    run_cli(site_db, "site", "add", "news", "--origin", "https://news.example")
    token = mint(hs_key(secret, "hs-1"), good(aud="news"))
    refused(exchange(client, token, site=SITE), 401, "sso-audience")


def test_missing_sub(client: TestClient[Any], secret: str) -> None:
    refused(exchange(client, mint(hs_key(secret, "hs-1"), good(sub=None))), 401, "sso-claim-missing")


def test_sub_not_a_string(client: TestClient[Any], secret: str) -> None:
    refused(exchange(client, mint(hs_key(secret, "hs-1"), good(sub=42))), 401, "sso-claim-invalid")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b.c",
        "a.b",
        "é.é.é",
        "x" * 9000,
    ],
    ids=["no-dots", "bad-base64", "two-parts", "not-ascii", "too-long"],
)
def test_malformed(client: TestClient[Any], token: str) -> None:
    body = refused(exchange(client, token), 400, "sso-token-malformed")
    assert body["errors"][0]["field"] == "token"


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]"], ids=["not-json", "not-an-object"])
def test_payload_not_a_claim_set_with_a_valid_mac(
    client: TestClient[Any], secret: str, payload: bytes
) -> None:
    """Signed correctly, but what was signed is not a claim set."""
    head = b64(json.dumps({"alg": "HS256", "kid": "hs-1"}).encode())
    body = b64(payload)
    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    token = f"{head}.{body}.{b64(mac)}"
    refused(exchange(client, token), 400, "sso-token-malformed")
