"""Publisher SSO with a JWKS (RS256, ES256, EdDSA) served by a loopback HTTP server: caching, refetching on
an unknown kid (rate-limited), rotation, and what happens when the JWKS cannot be had."""

from __future__ import annotations

from pathlib import Path

import pytest
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from tests.auth.sso_support import claims, exchange, mint, refused, serve_jwks, sso_client


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid})


def test_rs256_es256_and_eddsa_sign_in(site_db: str) -> None:
    rsa = rsa_key("rsa-1")
    ec = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})
    ed = OKPKey.generate_key("Ed25519", parameters={"kid": "ed-1"})
    with serve_jwks([rsa, ec, ed]) as jwks, sso_client(site_db, {"jwks_url": jwks.url}) as client:
        for key, alg in ((rsa, "RS256"), (ec, "ES256"), (ed, "EdDSA"), (ed, "Ed25519")):
            response = exchange(client, mint(key, claims(sub=f"user-{alg}"), alg=alg))
            assert response.status_code == 200, (alg, response.text)
            assert response.json()["identity"]["display_name"] == "Ann Publisher"
        # One fetch served every sign-in: the key set is cached.
        assert jwks.fetches == 1


def test_rotation_refetches_on_an_unknown_kid_but_not_too_often(site_db: str) -> None:
    old, new = rsa_key("2026-01"), rsa_key("2026-02")
    with serve_jwks([old]) as jwks, sso_client(site_db, {"jwks_url": jwks.url}) as client:
        assert exchange(client, mint(old, claims(), alg="RS256")).status_code == 200
        assert jwks.fetches == 1
        jwks.keys = [old, new]  # the publisher publishes its next key and starts signing with it
        assert exchange(client, mint(new, claims(), alg="RS256")).status_code == 200
        assert jwks.fetches == 2
        assert exchange(client, mint(old, claims(), alg="RS256")).status_code == 200  # both, for a while
        # Made-up kids: refused, and they do not make rejoinder fetch the key set again and again.
        for n in range(5):
            stranger = rsa_key(f"made-up-{n}")
            refused(exchange(client, mint(stranger, claims(), alg="RS256")), 401, "sso-key-unknown")
        assert jwks.fetches == 2  # the refetch for the new key was moments ago: none for 10 seconds


def test_an_unreachable_jwks_is_a_503_and_a_later_success_recovers(site_db: str, tmp_path: Path) -> None:
    key = rsa_key("rsa-1")
    with serve_jwks([key]) as jwks, sso_client(site_db, {"jwks_url": jwks.url}) as client:
        jwks.status = 500
        body = refused(exchange(client, mint(key, claims(), alg="RS256")), 503, "sso-keys-unavailable")
        assert jwks.url not in body["detail"]
        # Right after a failure, requests do not hammer the publisher's server.
        refused(exchange(client, mint(key, claims(), alg="RS256")), 503, "sso-keys-unavailable")
        assert jwks.fetches == 1


def test_a_jwks_that_does_not_answer_at_all(site_db: str) -> None:
    with serve_jwks([]) as jwks:
        url = jwks.url  # the server is stopped when this block ends: nothing listens there any more
    key = rsa_key("rsa-1")
    with sso_client(site_db, {"jwks_url": url}) as client:
        refused(exchange(client, mint(key, claims(), alg="RS256")), 503, "sso-keys-unavailable")


def test_a_symmetric_key_published_in_the_jwks_is_never_used(site_db: str) -> None:
    """A shared secret in a public key set is known to everyone: a token MACed with it is refused."""
    leaked = OctKey.generate_key(256, parameters={"kid": "oops"})
    rsa = rsa_key("rsa-1")
    with serve_jwks([rsa, leaked]) as jwks, sso_client(site_db, {"jwks_url": jwks.url}) as client:
        assert exchange(client, mint(rsa, claims(), alg="RS256")).status_code == 200
        refused(exchange(client, mint(leaked, claims())), 401, "sso-key-unknown")


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_a_key_declaring_its_alg_is_used_only_for_it(site_db: str, alg: str) -> None:
    key = rsa_key("rsa-1") if alg == "RS256" else OKPKey.generate_key("Ed25519", parameters={"kid": "ed-1"})
    pinned = type(key).import_key(key.as_dict(private=True), {"alg": alg})
    with serve_jwks([pinned]) as jwks, sso_client(site_db, {"jwks_url": jwks.url}) as client:
        response = exchange(client, mint(pinned, claims(), alg=alg))
        assert response.status_code == 200, response.text
        assert response.json()["identity"]["display_name"] == "Ann Publisher"
