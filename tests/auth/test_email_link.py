"""Sign-in by emailed link, over HTTP, against a real SMTP server on loopback (aiosmtpd): the address
page, the email and its link, the page the link opens (GET uses nothing), the button (POST signs in and
303s back to the article), and what is refused: a link used twice, expired, for another site or another
return address, login CSRF, rate limits per address and per network, and tokens in logs."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import TestClient

from rejoinder import config
from rejoinder.app import Rejoinder, create_app
from tests.admin.conftest import Sink, email_settings
from tests.admin.conftest import smtp_sink as smtp_sink  # the loopback SMTP server fixture
from tests.auth.helpers import app_ctx, bearer, sign_in
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, run_cli

NEWS_ORIGIN = "https://news.example"
NEWS_ARTICLE = "https://news.example/today"
PUBLIC = "http://rejoinder.test"
HTML = {"Accept": "text/html"}
LINK = re.compile(r"(http://rejoinder\.test/auth/([a-z]+)/verify\?token=([A-Za-z0-9_-]+))")
_INPUT = re.compile(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">')


class Peer:
    """Every request comes from a trusted proxy at 127.0.0.1, so that a test names the client's address
    with X-Forwarded-For, as behind a real reverse proxy (per-network limits need an address)."""

    def __init__(self, app: Rejoinder) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": ("127.0.0.1", 40000)}
        await self.app(scope, receive, send)


def settings(db_url: str, sink: Sink, **sections: dict[str, Any]) -> config.Settings:
    auth = {"providers": {"email": {"preset": "email"}}, **sections.pop("auth", {})}
    moderation = {
        "trusted_proxies": ["127.0.0.1/32"],
        "magic_link_limit_email": "3/10minutes",
        "magic_link_limit_ip": "5/minute",
        **sections.pop("moderation", {}),
    }
    return make_settings(
        db_url,
        auth=auth,
        moderation=moderation,
        email=email_settings(sink),
        server={"public_url": PUBLIC},
        **sections,
    )


@contextmanager
def open_app(db_url: str, sink: Sink, **sections: dict[str, Any]) -> Iterator[TestClient[Any]]:
    app = create_app(settings(db_url, sink, **sections))
    with TestClient(app=Peer(app), base_url=PUBLIC) as client:  # type: ignore[arg-type]
        client.rejoinder = app  # type: ignore[attr-defined]
        yield client


@contextmanager
def other_browser(client: TestClient[Any]) -> Iterator[TestClient[Any]]:
    """The same app seen from another browser: an empty cookie jar (the first one's comes back after)."""
    saved = httpx.Cookies(client.cookies)
    client.cookies.clear()
    try:
        yield client
    finally:
        client.cookies = saved


@pytest.fixture
def two_sites(db_url: str) -> str:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    run_cli(db_url, "site", "add", "news", "--origin", NEWS_ORIGIN)
    return db_url


@pytest.fixture
def app(two_sites: str, smtp_sink: Sink) -> Iterator[TestClient[Any]]:
    with open_app(two_sites, smtp_sink) as client:
        yield client


# --- driving the pages --------------------------------------------------------------------------------


def start(client: TestClient[Any], provider: str = "email", **params: str) -> httpx.Response:
    query = {"site": "blog", "origin": ORIGIN, "mode": "popup", "return": ARTICLE, **params}
    return client.get(f"/auth/{provider}/start", params=query, headers=HTML)


def hidden_fields(page: httpx.Response) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _INPUT.findall(page.text)}


def ask(
    client: TestClient[Any],
    email: str = "ann@example.org",
    *,
    ip: str = "192.0.2.10",
    name: str = "",
    provider: str = "email",
    **params: str,
) -> httpx.Response:
    """The address page and its form, as a browser submits it."""
    page = start(client, provider, **params)
    assert page.status_code == 200, page.text
    form = {**hidden_fields(page), "email": email, "name": name}
    return client.post(
        f"/auth/{provider}/send", data=form, headers={**HTML, "X-Forwarded-For": ip}, follow_redirects=False
    )


def ask_api(
    client: TestClient[Any], email: str = "ann@example.org", *, ip: str = "192.0.2.20", **body: Any
) -> httpx.Response:
    payload = {"site": "blog", "email": email, "return": ARTICLE, **body}
    return client.post("/api/auth/email/send", json=payload, headers={"X-Forwarded-For": ip})


def link_in(message: Any) -> str:
    found = LINK.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)


def received_link(sink: Sink, count: int, to: str = "ann@example.org") -> str:
    messages = sink.wait_for(count)
    assert messages[count - 1]["To"] == to
    return link_in(messages[count - 1])


def open_link(client: TestClient[Any], url: str) -> httpx.Response:
    return client.get(url.removeprefix(PUBLIC), headers=HTML)


def press(client: TestClient[Any], page: httpx.Response, **changes: str) -> httpx.Response:
    """The button on the link's page."""
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action
    form = {**hidden_fields(page), **changes}
    return client.post(action.group(1), data=form, headers=HTML, follow_redirects=False)


def fragment(response: httpx.Response) -> dict[str, str]:
    """Where a 303 sends the browser back to: the article, the result in the fragment."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.split("#")[0] == ARTICLE
    return {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}


def sign_in_by_link(client: TestClient[Any], sink: Sink, email: str = "ann@example.org", **kw: str) -> str:
    before = len(sink.messages)
    sent = ask(client, email, **kw)
    assert sent.status_code == 200, sent.text
    url = received_link(sink, before + 1, email)
    return fragment(press(client, open_link(client, url)))["rejoinder-session"]


def code_of(response: httpx.Response) -> str:
    if response.headers["content-type"].startswith("application/problem+json"):
        return str(response.json()["code"])
    found = re.search(r'<code id="rj-code">([a-z-]+)</code>', response.text)
    assert found, response.text
    return found.group(1)


def me(client: TestClient[Any], token: str) -> Any:
    response = client.get("/api/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


# --- the flow -----------------------------------------------------------------------------------------


def test_a_reader_signs_in_with_an_emailed_link(two_sites: str, smtp_sink: Sink) -> None:
    with open_app(
        two_sites, smtp_sink, auth={"providers": {"email": {"preset": "email"}, "mastodon": {}}}
    ) as c:
        providers = c.get("/api/auth/providers", params={"site": "blog"}).json()["providers"]
        assert [(p["name"], p["kind"], p["label"], p["icon"]) for p in providers] == [
            ("email", "email", "Email", "email"),
            ("mastodon", "mastodon", "Mastodon", "mastodon"),
        ]
        assert providers[0]["start"] == "/auth/email/start" and providers[0]["asks_server"] is False

        page = start(c)
        assert page.status_code == 200
        assert '<label for="rj-email">Your email address</label>' in page.text
        assert 'type="email"' in page.text and 'autocomplete="email"' in page.text
        assert "<script" not in page.text  # works without JavaScript
        csp = page.headers["content-security-policy"]
        assert "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
        assert hidden_fields(page)["return"] == ARTICLE

        sent = ask(c, "  Ann@Example.ORG ", name="Ann Example")
        assert sent.status_code == 200, sent.text
        assert "Check your inbox" in sent.text and "ann@example.org" in sent.text
        assert "You can close this window" in sent.text  # popup mode

        [message] = smtp_sink.wait_for(1)
        assert message["To"] == "ann@example.org"
        assert message["From"] == "comments@rejoinder.test"
        assert message["Subject"] == "Sign in to comment on blog.example"
        assert message.get_content_type() == "text/plain"
        body = message.get_content()
        assert "15 minutes" in body and "Ann Example" not in body  # nothing the reader typed but the address
        url = link_in(message)
        assert url.startswith(f"{PUBLIC}/auth/email/verify?token=")

        # Mail scanners and link previews follow the link: opening it uses nothing up.
        for _ in range(3):
            shown = open_link(c, url)
            assert shown.status_code == 200, shown.text
            assert "Sign in to comment on blog.example?" in shown.text
            assert '<strong id="rj-email">ann@example.org</strong>' in shown.text
            assert shown.headers["referrer-policy"] == "same-origin"
            assert shown.headers["cache-control"] == "no-store"
            # The button's 303 goes to the article's origin: the CSP must let the form go there.
            assert f"form-action 'self' {ORIGIN};" in shown.headers["content-security-policy"]
            assert "another browser" not in shown.text  # the same browser asked
        done = press(c, shown)
        token = fragment(done)["rejoinder-session"]
        assert token.startswith("rjs_")
        assert done.headers["cache-control"] == "no-store"

        who = me(c, token)
        assert who["identity"]["display_name"] == "Ann Example"
        assert who["email"] == "ann@example.org"
        assert who["provider"] == {"name": "email", "label": "ann@example.org"}
        assert [(c["kind"], c["provider"], c["label"]) for c in who["credentials"]] == [
            ("email", "email", "ann@example.org")
        ]

        # The next link for the same address signs in the same identity (the name typed then is ignored).
        again = ask(c, "ann@example.org", name="Someone Else")
        assert again.status_code == 200
        second = fragment(press(c, open_link(c, received_link(smtp_sink, 2))))["rejoinder-session"]
        assert second != token
        assert me(c, second)["identity"] == who["identity"]


def test_redirect_mode_and_a_new_reader_without_a_name(app: TestClient[Any], smtp_sink: Sink) -> None:
    sent = ask(app, "bo@example.org", mode="redirect")
    assert sent.status_code == 200
    assert f'<a href="{ARTICLE}">Back to the article</a>' in sent.text
    token = fragment(press(app, open_link(app, received_link(smtp_sink, 1, "bo@example.org"))))
    who = me(app, token["rejoinder-session"])
    assert who["identity"]["display_name"] == "Reader"  # never the address: names are public


def test_a_link_works_once(db_url: str, smtp_sink: Sink) -> None:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    with open_app(db_url, smtp_sink) as c:
        ask(c)
        url = received_link(smtp_sink, 1)
        page = open_link(c, url)
        assert "rejoinder-session" in fragment(press(c, page))
        again = press(c, page)
        assert again.status_code == 410 and code_of(again) == "sign-in-link-used"
        assert "already used" in again.text
        reopened = open_link(c, url)
        assert reopened.status_code == 410 and code_of(reopened) == "sign-in-link-used"
        as_json = c.get(url.removeprefix(PUBLIC))
        assert as_json.status_code == 410 and as_json.json()["code"] == "sign-in-link-used"


def test_a_link_expires_after_15_minutes(app: TestClient[Any], smtp_sink: Sink) -> None:
    ctx = app_ctx(app)
    real = ctx.clock
    ask(app)
    url = received_link(smtp_sink, 1)
    page = open_link(app, url)
    try:
        ctx.clock = lambda: real() + 15 * 60 * 1_000_000 + 1
        late = press(app, page)
        assert late.status_code == 410 and code_of(late) == "sign-in-link-expired"
        assert open_link(app, url).status_code == 410
        ctx.clock = lambda: real() + 14 * 60 * 1_000_000  # still within the 15 minutes: it was not used up
        assert "rejoinder-session" in fragment(press(app, page))
    finally:
        ctx.clock = real


def test_the_lifetime_is_a_setting(two_sites: str, smtp_sink: Sink) -> None:
    with open_app(two_sites, smtp_sink, auth={"email_link_minutes": 2}) as c:
        ctx = app_ctx(c)
        real = ctx.clock
        ask(c)
        [message] = smtp_sink.wait_for(1)
        assert "for 2 minutes" in message.get_content()
        page = open_link(c, link_in(message))
        try:
            ctx.clock = lambda: real() + 3 * 60 * 1_000_000
            assert code_of(press(c, page)) == "sign-in-link-expired"
        finally:
            ctx.clock = real


def test_a_link_is_bound_to_its_site(two_sites: str, smtp_sink: Sink) -> None:
    providers = {
        "email": {"preset": "email", "sites": ["blog"]},
        "newsmail": {"preset": "email", "sites": ["news"]},
    }
    with open_app(two_sites, smtp_sink, auth={"providers": providers}) as c:
        # A site only offers its own email provider, and only its own pages as return addresses.
        assert code_of(start(c, "newsmail")) == "provider-not-found"
        wrong_return = start(c, "newsmail", site="news", origin=NEWS_ORIGIN)  # return is blog's article
        assert wrong_return.status_code == 403 and code_of(wrong_return) == "return-not-allowed"
        assert ask_api(c, site="news").json()["code"] == "return-not-allowed"
        assert ask_api(c, site="news", provider="email", **{"return": NEWS_ARTICLE}).status_code == 404

        ask(c)
        url = received_link(smtp_sink, 1)
        token = parse_qs(urlsplit(url).query)["token"][0]
        # The blog's link does not work through the news site's provider...
        other = c.get(f"/auth/newsmail/verify?token={token}", headers=HTML)
        assert other.status_code == 404 and code_of(other) == "sign-in-link-invalid"
        page = open_link(c, url)
        forged = c.post(
            "/auth/newsmail/verify", data=hidden_fields(page), headers=HTML, follow_redirects=False
        )
        assert forged.status_code == 404 and code_of(forged) == "sign-in-link-invalid", forged.text[:300]
        # ...nor once the blog stops allowing the article's origin; then it is still unused.
        run_cli(two_sites, "site", "origin", "blog", "--add", "https://www.blog.example", "--remove", ORIGIN)
        with c.portal() as portal:
            portal.call(app_ctx(c).sites.load)
        refused = press(c, page)
        assert refused.status_code == 403 and code_of(refused) == "return-not-allowed"
        run_cli(two_sites, "site", "origin", "blog", "--add", ORIGIN)
        with c.portal() as portal:
            portal.call(app_ctx(c).sites.load)
        assert "rejoinder-session" in fragment(press(c, page))
    assert len(smtp_sink.messages) == 1  # nothing was mailed for the refused requests


def test_return_and_origin_must_be_the_sites(app: TestClient[Any], smtp_sink: Sink) -> None:
    for params, code in [
        ({"return": "https://evil.example/phish"}, "return-not-allowed"),
        ({"return": "javascript:alert(1)"}, "return-not-allowed"),
        ({"return": "//evil.example/"}, "return-not-allowed"),
        ({"return": ""}, "return-required"),
        ({"origin": "https://evil.example"}, "origin-not-allowed"),
        ({"site": "nope"}, "provider-not-found"),
        ({"site": ""}, "site-required"),
        ({"mode": "iframe"}, "mode-invalid"),
        ({"link": "short"}, "link-invalid"),
    ]:
        page = start(app, **params)
        assert code_of(page) == code, params
        status = {"return-not-allowed": 403, "origin-not-allowed": 403, "provider-not-found": 404}.get(
            code, 422
        )
        assert page.status_code == status, (params, page.status_code)
        assert "rj-email" not in page.text
    # The form's hidden fields are checked again when it is sent (they can be edited).
    page = start(app)
    form = {**hidden_fields(page), "email": "ann@example.org", "return": "https://evil.example/"}
    sent = app.post("/auth/email/send", data=form, headers=HTML)
    assert sent.status_code == 403 and code_of(sent) == "return-not-allowed"
    form = {**hidden_fields(page), "email": "ann@example.org", "origin": "https://evil.example"}
    assert code_of(app.post("/auth/email/send", data=form, headers=HTML)) == "origin-not-allowed"
    for body, status, code in (
        ({"return": "https://evil.example/"}, 403, "return-not-allowed"),
        ({"return": None}, 422, "return-required"),
    ):
        refused = ask_api(app, **body)
        assert refused.status_code == status and code_of(refused) == code, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    evil_page = app.post(
        "/api/auth/email/send",
        json={"site": "blog", "email": "ann@example.org", "return": ARTICLE},
        headers={"Origin": "https://evil.example"},
    )
    assert evil_page.status_code == 403 and evil_page.json()["code"] == "origin-not-allowed"
    assert smtp_sink.messages == []


# --- the JSON twin ------------------------------------------------------------------------------------


def test_the_api_sends_a_link_without_telling_whether_the_address_is_known(
    app: TestClient[Any],
    smtp_sink: Sink,
) -> None:
    sign_in(app, "known", email="known@example.org", verified=True)
    answers = [ask_api(app, "known@example.org"), ask_api(app, "new@example.org")]
    assert [a.status_code for a in answers] == [202, 202]
    bodies = [a.json() for a in answers]
    assert [sorted(b) for b in bodies] == [["email", "expires"], ["email", "expires"]]
    assert [b["email"] for b in bodies] == ["known@example.org", "new@example.org"]
    messages = smtp_sink.wait_for(2)
    assert messages[0]["Subject"] == messages[1]["Subject"]
    strip = [LINK.sub("LINK", m.get_content()) for m in messages]
    assert strip[0] == strip[1]  # the same message for a known and an unknown address
    # The API's link works like the form's; it was asked for in no browser, which the page says.
    page = open_link(app, link_in(messages[1]))
    assert "another browser" in page.text
    assert "rejoinder-session" in fragment(press(app, page))


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"email": "not-an-address"}, 422, "email-invalid", "email"),
        ({"email": "ann@example.org\r\nBcc: x@example.org"}, 422, "email-invalid", "email"),
        ({"email": ""}, 422, "email-required", "email"),
        ({"email": None}, 422, "email-required", "email"),
        ({"site": None}, 422, "site-required", "site"),
        ({"site": "nope"}, 404, "site-not-found", None),
        ({"provider": "mastodon"}, 404, "provider-not-found", None),
        ({"name": "   "}, None, None, None),  # a blank name is no name
        ({"name": "\u200b\u202e"}, 422, "name-empty", "name"),
        ({"name": "x" * 81}, 422, "name-too-long", "name"),
    ],
)
def test_api_bad_input(
    app: TestClient[Any],
    smtp_sink: Sink,
    body: dict[str, Any],
    status: int | None,
    code: str | None,
    field: str | None,
) -> None:
    response = ask_api(app, **{"email": "ann@example.org", **body})
    if status is None:
        assert response.status_code == 202
        return
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["code"] == code
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert [e["field"] for e in problem["errors"]] == [field]
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'{"site": 3}', b'{"site": "blog", "surprise": 1}', b""],
)
def test_api_unreadable_bodies(app: TestClient[Any], raw: bytes) -> None:
    response = app.post("/api/auth/email/send", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- the form's own mistakes -----------------------------------------------------------------------------


def test_a_bad_address_shows_the_form_again(app: TestClient[Any], smtp_sink: Sink) -> None:
    shown = ask(app, "ann@exa mple.org", name="Ann")
    assert shown.status_code == 422
    assert 'role="alert"' in shown.text and "email-invalid" in shown.text
    assert 'aria-invalid="true"' in shown.text and 'value="ann@exa mple.org"' in shown.text
    assert 'value="Ann"' in shown.text
    assert hidden_fields(shown)["return"] == ARTICLE  # the form still knows where to go back to
    fixed = app.post(
        "/auth/email/send",
        data={**hidden_fields(shown), "email": "ann@example.org"},
        headers={**HTML, "X-Forwarded-For": "192.0.2.10"},
    )
    assert fixed.status_code == 200 and "Check your inbox" in fixed.text
    assert len(smtp_sink.wait_for(1)) == 1


def test_the_forms_need_their_page_token(app: TestClient[Any], smtp_sink: Sink) -> None:
    page = start(app)
    form = {**hidden_fields(page), "email": "ann@example.org"}
    for changed in ({"csrf": ""}, {"csrf": "x" * 32}):
        refused = app.post("/auth/email/send", data={**form, **changed}, headers=HTML)
        assert refused.status_code == 403 and code_of(refused) == "csrf-invalid"
    with other_browser(app) as other:  # a page on another site cannot post for this browser
        refused = other.post("/auth/email/send", data=form, headers=HTML)
        assert refused.status_code == 403 and code_of(refused) == "csrf-invalid"
    assert smtp_sink.messages == []
    unknown = app.post("/auth/nope/send", data=form, headers=HTML)
    assert unknown.status_code == 404 and code_of(unknown) == "provider-not-found"


def test_login_csrf_the_button_needs_its_page(app: TestClient[Any], smtp_sink: Sink) -> None:
    """An attacker who has a link for their own address cannot make a victim's browser use it from
    another site: the POST must carry the token of the page shown in that browser."""
    ask(app)
    page = open_link(app, received_link(smtp_sink, 1))
    fields = hidden_fields(page)
    with other_browser(app) as victim:
        refused = victim.post("/auth/email/verify", data=fields, headers=HTML, follow_redirects=False)
        assert refused.status_code == 403 and code_of(refused) == "csrf-invalid"
    last = "1" if fields["csrf"].endswith("0") else "0"  # a different last character, always
    for changed in ({"csrf": ""}, {"csrf": fields["csrf"][:-1] + last}):
        refused = press(app, page, **changed)
        assert refused.status_code == 403 and code_of(refused) == "csrf-invalid"
    # A valid page token for another link is no good either.
    ask(app, "bo@example.org", ip="192.0.2.11")
    other_page = open_link(app, received_link(smtp_sink, 2, "bo@example.org"))
    mixed = press(app, page, csrf=hidden_fields(other_page)["csrf"])
    assert mixed.status_code == 403
    assert "rejoinder-session" in fragment(press(app, page))  # none of that used the link up


@pytest.mark.parametrize("token", ["", "short", "a" * 43, "a" * 300, "%00" * 30])
def test_unknown_or_malformed_links(app: TestClient[Any], token: str) -> None:
    shown = app.get(f"/auth/email/verify?token={token}", headers=HTML)
    assert shown.status_code == 404 and code_of(shown) == "sign-in-link-invalid"
    assert app.get("/auth/email/verify", headers=HTML).status_code == 404
    pressed = app.post("/auth/email/verify", data={"token": token, "csrf": "x"}, headers=HTML)
    assert pressed.status_code == 403 and code_of(pressed) == "csrf-invalid", pressed.text[:300]


# --- existing identities ------------------------------------------------------------------------------


def test_an_address_another_sign_in_verified_gets_a_link_offer(
    app: TestClient[Any],
    smtp_sink: Sink,
) -> None:
    """The address matches an identity that signed in with a provider that verified it: nothing is merged
    silently. The reader gets a link offer, which only that identity's session can accept."""
    existing = sign_in(app, "ann-at-op", name="Ann", email="Ann@example.org", verified=True, label="OP")
    assert existing.token is not None and existing.identity is not None
    ask(app, "ann@example.org")
    result = fragment(press(app, open_link(app, received_link(smtp_sink, 1))))
    offer = result["rejoinder-link-offer"]
    assert "rejoinder-session" not in result
    accepted = app.post(f"/api/link-offers/{offer}/accept", headers=bearer(existing.token))
    assert accepted.status_code == 200, accepted.text
    creds = {(c["kind"], c["label"]) for c in accepted.json()["credentials"]}
    assert ("email", "ann@example.org") in creds
    # From now on the address signs that identity in directly.
    ask(app, "ann@example.org")
    token = fragment(press(app, open_link(app, received_link(smtp_sink, 2))))["rejoinder-session"]
    assert me(app, token)["identity"]["id"] == existing.identity.id


def test_adding_an_address_to_the_signed_in_account(app: TestClient[Any], smtp_sink: Sink) -> None:
    reader = sign_in(app, "bo-at-op", name="Bo", label="OP")
    assert reader.token is not None and reader.identity is not None
    ticket = app.post("/api/me/link-ticket", headers=bearer(reader.token)).json()["ticket"]
    page = start(app, link=ticket)
    assert "Add an email address" in page.text and 'name="name"' not in page.text
    sent = app.post(
        "/auth/email/send",
        data={**hidden_fields(page), "email": "bo@example.org"},
        headers={**HTML, "X-Forwarded-For": "192.0.2.30"},
    )
    assert sent.status_code == 200, sent.text
    [message] = smtp_sink.wait_for(1)
    assert message["Subject"] == "Add this address to your account on blog.example"
    url = link_in(message)
    # Only in the browser that asked: someone else's link must not add their address to this account.
    with other_browser(app) as other:
        foreign = open_link(other, url)
        assert "Add this address to your account?" in foreign.text and "another browser" in foreign.text
        refused = press(other, foreign)
        assert refused.status_code == 403 and code_of(refused) == "browser-mismatch"
    shown = open_link(app, url)
    assert "<strong>Bo</strong>" in shown.text
    token = fragment(press(app, shown))["rejoinder-session"]
    who = me(app, token)
    assert who["identity"]["id"] == reader.identity.id
    assert {c["kind"] for c in who["credentials"]} == {"oidc", "email"}
    assert who["email"] == "bo@example.org"
    # The ticket was used up by asking.
    again = start(app, link=ticket)
    sent = app.post(
        "/auth/email/send",
        data={**hidden_fields(again), "email": "bo2@example.org"},
        headers={**HTML, "X-Forwarded-For": "192.0.2.30"},
    )
    assert sent.status_code == 404 and code_of(sent) == "link-ticket-not-found"


def test_adding_an_address_that_signs_in_elsewhere(app: TestClient[Any], smtp_sink: Sink) -> None:
    first = sign_in_by_link(app, smtp_sink, "cy@example.org")
    assert first
    reader = sign_in(app, "dee", name="Dee", label="OP")
    assert reader.token is not None
    ticket = app.post("/api/me/link-ticket", headers=bearer(reader.token)).json()["ticket"]
    page = start(app, link=ticket)
    app.post(
        "/auth/email/send",
        data={**hidden_fields(page), "email": "cy@example.org"},
        headers={**HTML, "X-Forwarded-For": "192.0.2.31"},
    )
    url = received_link(smtp_sink, 2, "cy@example.org")
    assert fragment(press(app, open_link(app, url))) == {"rejoinder-error": "credential-in-use"}


# --- rate limits --------------------------------------------------------------------------------------


def test_rate_limit_per_address(app: TestClient[Any], smtp_sink: Sink) -> None:
    for n in range(3):  # magic_link_limit_email = 3/10minutes; each from another network
        assert ask_api(app, "ann@example.org", ip=f"198.51.100.{n}").status_code == 202
    refused = ask_api(app, "ANN@example.org", ip="198.51.100.99")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate-limited"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(refused.headers["retry-after"]) <= 600
    # The form shows itself again, with the message and the same Retry-After.
    shown = ask(app, "ann@example.org", ip="198.51.100.98")
    assert shown.status_code == 429 and "rate-limited" in shown.text and 'role="alert"' in shown.text
    assert 0 < int(shown.headers["retry-after"]) <= 600
    assert 'value="ann@example.org"' in shown.text
    assert ask_api(app, "bo@example.org", ip="198.51.100.97").status_code == 202  # other addresses are fine
    assert len(smtp_sink.wait_for(4)) == 4


def test_rate_limit_per_network(app: TestClient[Any], smtp_sink: Sink) -> None:
    for n in range(5):  # magic_link_limit_ip = 5/minute
        assert ask_api(app, f"reader{n}@example.org", ip="203.0.113.7").status_code == 202
    refused = ask_api(app, "reader9@example.org", ip="203.0.113.7")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) <= 60
    refused_form = ask(app, "reader8@example.org", ip="203.0.113.7")
    assert refused_form.status_code == 429
    v6 = [ask_api(app, f"v6-{n}@example.org", ip=f"2001:db8:1:{n + 2:x}::1") for n in range(6)]
    assert [r.status_code for r in v6] == [202] * 5 + [429]  # an IPv6 /56 counts as one network
    assert ask_api(app, "reader9@example.org", ip="203.0.113.8").status_code == 202
    assert len(smtp_sink.wait_for(11)) == 11


# --- secrets ------------------------------------------------------------------------------------------


def test_no_token_in_logs(app: TestClient[Any], smtp_sink: Sink, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ask(app)
    url = received_link(smtp_sink, 1)
    link_token = parse_qs(urlsplit(url).query)["token"][0]
    page = open_link(app, url)
    session = fragment(press(app, page))["rejoinder-session"]
    press(app, page)  # used: an error path too
    app.get(f"/auth/email/verify?token={link_token}x", headers=HTML)
    ask_api(app, "bo@example.org")

    # Left out: what the test's own parts log, the loopback SMTP server (aiosmtpd, "mail.log") and the
    # test's HTTP client ("httpx" logs each URL it fetches, as a browser's history keeps them).
    def text(records: list[logging.LogRecord]) -> str:
        return "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in records)

    theirs = [r for r in caplog.records if r.name.startswith(("mail.log", "httpx"))]
    assert link_token in text(theirs)  # the capture works: it would see a token rejoinder logged
    logged = text([r for r in caplog.records if r not in theirs])
    assert link_token not in logged and session not in logged
    assert hidden_fields(page)["csrf"] not in logged


def test_smtp_failure_is_a_503_without_details(two_sites: str) -> None:
    from tests.fixtures.servers import free_port

    dead = Sink(port=free_port(), messages=[])  # nothing listens there
    with open_app(two_sites, dead) as c:
        failed = ask_api(c)
        assert failed.status_code == 503 and failed.json()["code"] == "smtp-failed"
        assert "token" not in failed.text
        page = ask(c)
        assert page.status_code == 503 and code_of(page) == "smtp-failed"


# --- configuration ------------------------------------------------------------------------------------


def test_an_email_provider_needs_smtp_and_the_public_url(sqlite_url: str) -> None:
    auth = {"providers": {"email": {"preset": "email"}}}
    with pytest.raises(config.ConfigError, match=r"email\.host"):
        config.load(env={}, overrides={"auth": auth, "server": {"public_url": PUBLIC}})
    smtp = {"host": "127.0.0.1", "sender": "comments@rejoinder.test"}
    with pytest.raises(config.ConfigError, match=r"server\.public_url"):
        config.load(env={}, overrides={"auth": auth, "email": smtp})
    with pytest.raises(config.ConfigError, match=r"auth\.email_link_minutes"):
        config.load(
            env={},
            overrides={
                "auth": {**auth, "email_link_minutes": 0},
                "email": smtp,
                "server": {"public_url": PUBLIC},
            },
        )
    loaded = config.load(env={}, overrides={"auth": auth, "email": smtp, "server": {"public_url": PUBLIC}})
    assert loaded.auth.email_link_minutes == 15


def test_provider_list_and_test_for_email(tmp_path: Path, smtp_sink: Sink) -> None:
    """`rejoinder provider list|test` say where the links point and check the SMTP server answers."""
    from click.testing import CliRunner

    from rejoinder.cli import main
    from tests.fixtures.servers import free_port

    def invoke(port: int, public_url: str, *args: str) -> tuple[int, str]:
        path = tmp_path / "rejoinder.toml"
        path.write_text(
            f'[database]\nurl = "sqlite:///{tmp_path / "r.db"}"\n\n[server]\npublic_url = "{public_url}"\n\n'
            f'[email]\nhost = "127.0.0.1"\nport = {port}\nsender = "comments@rejoinder.test"\n'
            'starttls = false\n\n[auth.providers.email]\npreset = "email"\n'
        )
        result = CliRunner().invoke(main, ["-c", str(path), *args], env={"REJOINDER_CONFIG": None})
        return result.exit_code, result.output

    code, out = invoke(smtp_sink.port, "https://comments.example", "provider", "list")
    assert code == 0, out
    assert "email\temail\tEmail\tsites=*\thttps://comments.example/auth/email/verify" in out
    code, out = invoke(smtp_sink.port, "https://comments.example", "provider", "test", "email")
    assert code == 0, out
    assert f"SMTP server: 127.0.0.1:{smtp_sink.port} (plain)" in out and "SMTP connection: ok" in out
    assert "links work for: 15 minutes" in out and "ready" in out
    assert smtp_sink.messages == []  # the check sends nothing
    code, out = invoke(free_port(), "http://comments.example", "provider", "test", "email")
    assert code != 0
    assert "smtp-failed" in out and "not https" in out
