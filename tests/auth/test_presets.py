"""Every preset: its endpoints or issuer, scopes, and how its claims become a Profile (no network)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rejoinder.auth.providers import PRESETS
from rejoinder.auth.providers.oidc import OAuthProvider, resolve_issuer
from rejoinder.config import ProviderSettings
from tests.auth.flows import query_of


def provider(preset: str, **settings: Any) -> OAuthProvider:
    return OAuthProvider(preset, PRESETS[preset], ProviderSettings(client_id="cid", **settings), "secret")


@pytest.mark.parametrize(
    ("preset", "issuer"),
    [
        ("google", "https://accounts.google.com"),
        ("microsoft", "https://login.microsoftonline.com/common/v2.0"),
        ("apple", "https://appleid.apple.com"),
        ("gitlab", "https://gitlab.com"),
    ],
)
def test_oidc_presets_discover_from_their_issuer(preset: str, issuer: str) -> None:
    p = provider(preset)
    assert p.is_oidc and p.issuer == issuer
    assert "openid" in p.scopes


def test_issuer_settings() -> None:
    assert resolve_issuer(PRESETS["gitlab"], ProviderSettings(issuer="https://git.example.org/")) == (
        "https://git.example.org"
    )
    assert resolve_issuer(PRESETS["microsoft"], ProviderSettings(tenant="contoso.onmicrosoft.com")) == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
    )
    assert (
        resolve_issuer(PRESETS["oidc"], ProviderSettings(issuer="https://id.example")) == "https://id.example"
    )


@pytest.mark.parametrize(
    ("preset", "authorize", "token", "userinfo", "scopes"),
    [
        (
            "github",
            "https://github.com/login/oauth/authorize",
            "https://github.com/login/oauth/access_token",
            "https://api.github.com/user",
            ("read:user", "user:email"),
        ),
        (
            "facebook",
            "https://www.facebook.com/v21.0/dialog/oauth",
            "https://graph.facebook.com/v21.0/oauth/access_token",
            "https://graph.facebook.com/v21.0/me?fields=id,name,email,link,picture",
            ("public_profile", "email"),
        ),
        (
            "discord",
            "https://discord.com/oauth2/authorize",
            "https://discord.com/api/oauth2/token",
            "https://discord.com/api/users/@me",
            ("identify", "email"),
        ),
        (
            "wordpress",
            "https://public-api.wordpress.com/oauth2/authorize",
            "https://public-api.wordpress.com/oauth2/token",
            "https://public-api.wordpress.com/rest/v1.1/me",
            ("auth",),
        ),
        (
            "x",
            "https://x.com/i/oauth2/authorize",
            "https://api.x.com/2/oauth2/token",
            "https://api.x.com/2/users/me?user.fields=profile_image_url",
            ("users.read", "tweet.read"),
        ),
    ],
)
def test_oauth2_presets_endpoints_and_authorization_request(
    preset: str, authorize: str, token: str, userinfo: str, scopes: tuple[str, ...]
) -> None:
    p = provider(preset)
    assert not p.is_oidc
    meta = asyncio.run(p.metadata())
    assert (meta.authorization_endpoint, meta.token_endpoint, meta.userinfo_endpoint) == (
        authorize,
        token,
        userinfo,
    )
    assert p.scopes == scopes
    begun = asyncio.run(
        p.begin(state="S" * 32, redirect_uri="https://c.example/auth/x/callback", server=None)
    )
    assert begun.url.startswith(authorize)
    q = query_of(begun.url)
    assert q["state"] == "S" * 32 and q["code_challenge_method"] == "S256" and q["scope"] == " ".join(scopes)
    assert q["client_id"] == "cid" and q["redirect_uri"] == "https://c.example/auth/x/callback"
    assert "nonce" not in q and "verifier" in begun.saved and "nonce" not in begun.saved


def test_twitter_is_an_alias_of_x() -> None:
    assert PRESETS["twitter"].authorize_url == PRESETS["x"].authorize_url
    assert "paid" in PRESETS["x"].notes


def test_apple_asks_for_form_post() -> None:
    assert ("response_mode", "form_post") in PRESETS["apple"].auth_params


CASES: list[tuple[str, dict[str, Any], dict[str, str], dict[str, Any]]] = [
    (
        "google",
        {"sub": "g1", "name": "Gina", "email": "G@x.example", "email_verified": True, "profile": "http://no"},
        {},
        {
            "subject": "g1",
            "name": "Gina",
            "email": "G@x.example",
            "email_verified": True,
            "profile_url": None,
        },
    ),
    (
        "microsoft",
        {"sub": "m1", "name": "Mo", "email": "mo@x.example", "email_verified": True},
        {},
        {"subject": "m1", "name": "Mo", "email": "mo@x.example", "email_verified": False},  # never trusted
    ),
    (
        "apple",
        {"sub": "a1", "email": "a@privaterelay.appleid.com", "email_verified": "true"},
        {"user": '{"name": {"firstName": "Ada", "lastName": "L"}}'},
        {"subject": "a1", "name": "Ada L", "email_verified": True},
    ),
    (
        "github",
        {"id": 42, "login": "octo", "name": None, "html_url": "https://github.com/octo"},
        {},
        {
            "subject": "42",
            "name": "octo",
            "username": "octo",
            "profile_url": "https://github.com/octo",
            "email": None,
        },
    ),
    (
        "github",
        {"id": 42, "login": "octo", "name": "Octo Cat", "email": "o@x.example", "email_verified": True},
        {},
        {"subject": "42", "name": "Octo Cat", "email": "o@x.example", "email_verified": True},
    ),
    (
        "gitlab",
        {"sub": "7", "name": "Gil", "nickname": "gil", "email": "g@x.example", "email_verified": False},
        {},
        {"subject": "7", "username": "gil", "email_verified": False},
    ),
    (
        "facebook",
        {"id": "f1", "name": "Fay", "email": "f@x.example", "link": "https://facebook.com/fay"},
        {},
        {"subject": "f1", "name": "Fay", "email_verified": False, "profile_url": "https://facebook.com/fay"},
    ),
    (
        "discord",
        {"id": "d1", "username": "dee", "global_name": "Dee", "email": "d@x.example", "verified": True},
        {},
        {"subject": "d1", "name": "Dee", "username": "dee", "email_verified": True},
    ),
    (
        "wordpress",
        {
            "ID": 9,
            "display_name": "Wren",
            "username": "wren",
            "email": "w@x.example",
            "email_verified": True,
            "profile_URL": "https://gravatar.com/wren",
        },
        {},
        {"subject": "9", "name": "Wren", "email_verified": True, "profile_url": "https://gravatar.com/wren"},
    ),
    (
        "x",
        {"data": {"id": "x1", "name": "Xia", "username": "xia"}},
        {},
        {"subject": "x1", "name": "Xia", "username": "xia", "profile_url": "https://x.com/xia"},
    ),
]


@pytest.mark.parametrize(("preset", "document", "params", "expected"), CASES)
def test_claim_mapping(
    preset: str, document: dict[str, Any], params: dict[str, str], expected: dict[str, Any]
) -> None:
    profile = provider(preset).profile(document, params)
    assert profile.provider == preset
    for key, value in expected.items():
        assert getattr(profile, key) == value, key


def test_a_profile_needs_a_subject() -> None:
    from rejoinder.errors import Forbidden

    with pytest.raises(Forbidden) as exc:
        provider("github").profile({"login": "x"}, {})
    assert exc.value.code == "subject-missing"
