"""Mastodon-style sign-in: rejoinder registers itself at the reader's server (here: the loopback OpenID
provider's RFC 7591 registration endpoint), keeps the app per server, and signs in as @user@server.
Servers on private addresses are refused unless the test-only setting allows them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.auth.providers.mastodon import parse_server
from rejoinder.errors import Forbidden, Invalid
from rejoinder.outbound import check_reachable, is_public
from rejoinder.store.schema import oauth_apps
from tests.auth.flows import callback, provider_url, query_of, result, start
from tests.auth.helpers import app_ctx, bearer
from tests.fixtures.app import ORIGIN, make_settings
from tests.fixtures.oidc import OpenIdProvider, op_login


def _client(db_url: str, allow_private: bool) -> TestClient[Any]:
    settings = make_settings(
        db_url,
        auth={"providers": {"mastodon": {}}, "fediverse_allow_private": allow_private},
    )
    app = create_app(settings)
    client: TestClient[Any] = TestClient(app=app, base_url="http://rejoinder.test")  # type: ignore[arg-type]
    client.rejoinder = app  # type: ignore[attr-defined]
    return client


@pytest.fixture
def loopback_client(site_db: str) -> Iterator[TestClient[Any]]:
    with _client(site_db, allow_private=True) as c:
        yield c


@pytest.fixture
def strict_client(site_db: str) -> Iterator[TestClient[Any]]:
    with _client(site_db, allow_private=False) as c:
        yield c


def _apps(client: TestClient[Any]) -> list[Any]:
    async def go() -> list[Any]:
        async with app_ctx(client).engine.connect() as conn:
            return list(await conn.execute(sa.select(oauth_apps)))

    with client.portal() as portal:
        return portal.call(go)


def test_registers_once_per_server_and_signs_in_as_handle(
    loopback_client: TestClient[Any], openid_provider: OpenIdProvider
) -> None:
    client = loopback_client
    form = start(client, "mastodon")
    assert form.status_code == 200 and 'name="server"' in form.text  # asks for the server first
    server = openid_provider.issuer
    host = server.removeprefix("http://")

    done = callback(client, op_login(provider_url(start(client, "mastodon", server=server)), "alice"))
    assert done.status_code == 200, done.text
    message = result(done)
    assert message["type"] == "rejoinder:session"
    assert message["provider"] == {"name": "mastodon", "label": f"@alice@{host}"}
    assert message["identity"]["display_name"] == "User alice"
    me = client.get("/api/me", headers=bearer(message["token"])).json()
    assert [(c["kind"], c["provider"], c["label"]) for c in me["credentials"]] == [
        ("oidc", f"mastodon:{host}", f"@alice@{host}")
    ]

    [app] = _apps(client)
    assert app.server == server and app.redirect_uri == "http://rejoinder.test/auth/mastodon/callback"
    assert app.client_id and app.client_secret

    # The second reader from that server reuses the app; the same account is the same identity.
    again = result(
        callback(
            client,
            op_login(
                provider_url(start(client, "mastodon", server=server)),
                "alice",
            ),
        )
    )
    assert again["identity"]["id"] == message["identity"]["id"]
    assert len(_apps(client)) == 1 and _apps(client)[0].client_id == app.client_id


@pytest.mark.parametrize(
    ("server", "code"),
    [
        ("localhost", "server-not-public"),
        ("127.0.0.1", "server-not-public"),
        ("10.1.2.3", "server-not-public"),
        ("169.254.169.254", "server-not-public"),
        ("[::1]", "server-invalid"),
        ("http://example.social", "server-invalid"),
        ("https://example.social/path", "server-invalid"),
        ("user:pw@example.social", "server-invalid"),
        ("@a b@example.social", "server-invalid"),
        ("exa mple.social", "server-invalid"),
    ],
)
def test_private_or_malformed_servers_are_refused(
    strict_client: TestClient[Any], server: str, code: str
) -> None:
    response = strict_client.get(
        "/auth/mastodon/start", params={"site": "blog", "origin": ORIGIN, "server": server}
    )
    assert response.json()["code"] == code
    assert response.status_code == (403 if code == "server-not-public" else 422), response.text
    assert _apps(strict_client) == []


def test_is_public() -> None:
    for address in (
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "::ffff:127.0.0.1",
        "240.0.0.1",
    ):
        assert not is_public(address), address
    for address in ("93.184.215.14", "2606:4700::1111", "1.1.1.1"):
        assert is_public(address), address


def test_endpoints_named_by_a_server_are_checked_too() -> None:
    """A public server's metadata could point its token endpoint at a private address."""
    with pytest.raises(Forbidden) as exc:
        asyncio.run(check_reachable("https://127.0.0.1/oauth/token", allow_private=False))
    assert exc.value.code == "server-not-public"
    with pytest.raises(Forbidden):
        asyncio.run(check_reachable("http://example.social/oauth/token", allow_private=False))


def test_parse_server_forms() -> None:
    assert parse_server("Mastodon.Social", allow_insecure=False) == "https://mastodon.social"
    assert parse_server("@ann@example.social", allow_insecure=False) == "https://example.social"
    assert parse_server("ann@example.social", allow_insecure=False) == "https://example.social"
    assert parse_server("https://example.social/", allow_insecure=False) == "https://example.social"
    assert parse_server("http://127.0.0.1:3000", allow_insecure=True) == "http://127.0.0.1:3000"
    with pytest.raises(Invalid):
        parse_server("", allow_insecure=False)


def test_the_transport_refuses_private_targets_before_connecting() -> None:
    import httpx2

    from rejoinder.outbound import PublicOnlyTransport

    async def go(url: str) -> None:
        async with httpx2.AsyncClient(transport=PublicOnlyTransport(allow_private=False)) as http:
            await http.get(url)

    for url in ("https://localhost:9/x", "https://127.0.0.1/x", "http://example.social/x", "https://[::1]/"):
        with pytest.raises(Forbidden) as exc:
            asyncio.run(go(url))
        assert exc.value.code == "server-not-public", url


def test_mastodon_api_registration_and_account(loopback_client: TestClient[Any]) -> None:
    """The Mastodon branch: POST /api/v1/apps, PKCE token exchange, verify_credentials."""
    from tests.auth.fake_mastodon import fake_mastodon

    client = loopback_client
    with fake_mastodon() as masto:
        url = provider_url(start(client, "mastodon", server=masto.url))
        [app] = masto.apps
        assert app["redirect_uris"] == "http://rejoinder.test/auth/mastodon/callback"
        assert app["scopes"] == "profile" and app["client_name"] == "rejoinder"
        state = query_of(url)["state"]
        done = callback(client, f"/auth/mastodon/callback?code={masto.authorize(url)}&state={state}")
        assert done.status_code == 200, done.text
        message = result(done)
        host = masto.url.removeprefix("http://")
        assert message["provider"]["label"] == f"@ann@{host}"
        assert message["identity"]["display_name"] == "Ann of the Fediverse"
        me = client.get("/api/me", headers=bearer(message["token"])).json()
        assert me["identity"]["profile_url"] == masto.url + "/@ann"
        assert me["credentials"][0]["provider"] == f"mastodon:{host}"

        # A wrong verifier (another flow's code) is refused by the server's PKCE check.
        url2 = provider_url(start(client, "mastodon", server=masto.url))
        code_for_other_flow = masto.authorize(provider_url(start(client, "mastodon", server=masto.url)))
        refused = client.get(
            f"/auth/mastodon/callback?code={code_for_other_flow}&state={query_of(url2)['state']}"
        )
        assert refused.status_code == 403 and refused.json()["code"] == "token-rejected"
        assert len(masto.apps) == 1  # registered once


def test_concurrent_first_readers_share_one_app(loopback_client: TestClient[Any]) -> None:
    from rejoinder.auth.providers import PRESETS
    from rejoinder.auth.providers.mastodon import MastodonProvider
    from rejoinder.config import ProviderSettings
    from rejoinder.services.accounts import DbAppStore
    from tests.auth.fake_mastodon import fake_mastodon

    ctx = app_ctx(loopback_client)
    provider = MastodonProvider(
        "mastodon", PRESETS["mastodon"], ProviderSettings(), ctx.settings.auth, DbAppStore(ctx.engine)
    )
    with fake_mastodon() as masto:

        async def both() -> list[Any]:
            redirect = "http://rejoinder.test/auth/mastodon/callback"
            return list(await asyncio.gather(*(provider.app_for(masto.url, redirect) for _ in range(3))))

        with loopback_client.portal() as portal:
            apps = portal.call(both)
    assert len({a.client_id for a in apps}) == 1
    assert len(_apps(loopback_client)) == 1


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        ((200, "text/html", b"<html>maintenance</html>"), "The server's account answer is not a JSON object"),
        ((200, "application/json", b"[1, 2]"), "The server's account answer is not a JSON object"),
        (
            (502, "application/json", b'{"error": "bad gateway"}'),
            "The server answered 502 to the account request",
        ),
    ],
)
def test_an_account_answer_that_is_not_a_json_object_is_refused(
    loopback_client: TestClient[Any], reply: tuple[int, str, bytes], detail: str
) -> None:
    """The shared JSON-answer check (auth.providers.base.json_object): a precise 403, no server text."""
    from tests.auth.fake_mastodon import fake_mastodon

    client = loopback_client
    with fake_mastodon() as masto:
        masto.account_reply = reply
        url = provider_url(start(client, "mastodon", server=masto.url))
        state = query_of(url)["state"]
        refused = client.get(f"/auth/mastodon/callback?code={masto.authorize(url)}&state={state}")
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["code"] == "provider-error" and problem["detail"] == detail
    assert "maintenance" not in refused.text and "bad gateway" not in refused.text


def test_a_discovery_answer_that_is_not_json_is_refused(site_db: str) -> None:
    """The same check on the OpenID side: an issuer whose discovery document is missing (404)."""
    from tests.auth.fake_mastodon import fake_mastodon

    with fake_mastodon() as masto:
        settings = make_settings(
            site_db,
            auth={
                "providers": {
                    "broken": {"preset": "oidc", "issuer": masto.url + "/nowhere", "client_id": "x"}
                }
            },
        )
        with TestClient(app=create_app(settings), base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
            page = client.get("/auth/broken/start", params={"site": "blog", "origin": ORIGIN})
    assert page.status_code == 403, page.text
    assert page.json()["code"] == "provider-error"
    assert page.json()["detail"] == "The provider answered 404 to the discovery request"
