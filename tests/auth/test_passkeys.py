"""Passkeys over HTTP, on SQLite and PostgreSQL: the passkey page's ceremonies answered by a software
passkey (tests/auth/softkey.py), and every forged, replayed or malformed answer refused with a precise
problem. The same flows in real Chromium with its virtual authenticator: test_passkeys_browser.py."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import TestClient

from rejoinder.auth.providers.passkeys import RelyingParty
from tests.auth.conftest import auth_client
from tests.auth.flows import result, target
from tests.auth.helpers import bearer, sign_in
from tests.auth.softkey import SoftKey, b64u
from tests.fixtures.app import ARTICLE, ORIGIN

RP_ID = "rejoinder.test"  # the TestClient's host: no server.public_url, so the request's own
RP_ORIGIN = "http://rejoinder.test"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
_STATE = re.compile(r'<input type="hidden" name="state" value="([^"]+)">')
_OPTIONS = re.compile(r'<script type="application/json" id="rj-options">(.*?)</script>', re.S)


@pytest.fixture
def client(site_db: str) -> Iterator[TestClient[Any]]:
    providers = {"passkey": {"preset": "passkey"}, "test": {"preset": "passkey", "label": "Other"}}
    with auth_client(site_db, auth={"providers": providers}) as c:
        yield c


class Page:
    """The passkey page: its one-time state and the WebAuthn options it hands the browser."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        state, options = _STATE.search(response.text), _OPTIONS.search(response.text)
        assert state and options, response.text
        self.response = response
        self.state = html.unescape(state.group(1))
        self.options: dict[str, Any] = json.loads(options.group(1))


def open_page(client: TestClient[Any], provider: str = "passkey", **params: str) -> Page:
    query = {"site": "blog", "origin": ORIGIN, "mode": "popup", "return": ARTICLE, **params}
    return Page(client.get(f"/auth/{provider}/start", params=query, headers=HTML))


def finish(
    client: TestClient[Any],
    state: str,
    credential: Any,
    *,
    provider: str = "passkey",
    headers: dict[str, str] = JSON,
) -> httpx.Response:
    body = credential if isinstance(credential, str) else json.dumps(credential)
    return client.post(
        f"/auth/{provider}/finish",
        data={"state": state, "credential": body},
        headers=headers,
        follow_redirects=False,
    )


def problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code, response.text


def signed_in(client: TestClient[Any]) -> tuple[str, str]:
    """A reader signed in the usual way (another provider): their token and identity id."""
    outcome = sign_in(client, name="Pat Passkey")
    assert outcome.token and outcome.identity
    return outcome.token, outcome.identity.id


def register(client: TestClient[Any], token: str, key: SoftKey | None = None) -> SoftKey:
    """Add a passkey to the token's identity through the page, as "Change → Add a passkey" does."""
    key = key or SoftKey(RP_ID, RP_ORIGIN)
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    page = open_page(client, link=ticket)
    done = finish(client, page.state, key.create(page.options), headers=HTML)
    assert done.status_code == 200, done.text
    assert result(done)["type"] == "rejoinder:session"
    return key


def session_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    message = result(response)
    assert message["type"] == "rejoinder:session", message
    assert target(response) == ORIGIN
    return message


@pytest.mark.parametrize(
    ("public_url", "rp_id", "origin"),
    [
        ("https://Comments.Example.org", "comments.example.org", "https://comments.example.org"),
        ("https://comments.example.org:443/", "comments.example.org", "https://comments.example.org"),
        ("http://localhost:8080", "localhost", "http://localhost:8080"),
        ("https://comments.example.org/sub/path", "comments.example.org", "https://comments.example.org"),
    ],
)
def test_the_relying_party_is_the_public_url(public_url: str, rp_id: str, origin: str) -> None:
    rp = RelyingParty.of(public_url)
    assert (rp.id, rp.origin) == (rp_id, origin)


# --- the ceremonies -------------------------------------------------------------------------------------


def test_the_provider_is_listed_as_a_passkey(client: TestClient[Any]) -> None:
    listed = client.get("/api/auth/providers", params={"site": "blog"}).json()["providers"]
    mine = next(p for p in listed if p["name"] == "passkey")
    assert mine["kind"] == "passkey" and mine["label"] == "Passkey" and mine["icon"] == "passkey"
    assert mine["start"] == "/auth/passkey/start"


def test_sign_in_page_asks_for_a_discoverable_passkey(client: TestClient[Any]) -> None:
    page = open_page(client)
    assert page.options["rpId"] == RP_ID
    assert page.options["allowCredentials"] == []  # discoverable: the authenticator offers its passkeys
    assert page.options["userVerification"] == "preferred"
    assert len(page.options["challenge"]) >= 43  # 32 random bytes
    assert open_page(client).options["challenge"] != page.options["challenge"]
    text = page.response.text
    assert "Change" in text and "Add a passkey" in text  # how to get one without having one
    csp = page.response.headers["content-security-policy"]
    assert "script-src 'self';" in csp  # scripts are files on this origin, never inline (#10)
    src = re.search(r'<script src="(/static/passkey\.js\?v=[0-9a-f]+)" defer>', text)
    assert src
    script = client.get(src.group(1))
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "navigator.credentials.get" in script.text and "immutable" in script.headers["cache-control"]
    assert page.response.headers["set-cookie"].startswith("rejoinder-flow=")


def test_register_then_sign_in_as_the_same_identity(client: TestClient[Any]) -> None:
    token, identity = signed_in(client)
    key = SoftKey(RP_ID, RP_ORIGIN)
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    page = open_page(client, link=ticket)
    assert page.options["rp"]["id"] == RP_ID
    assert page.options["authenticatorSelection"]["residentKey"] == "required"
    assert page.options["user"]["name"] == "Pat Passkey"
    assert identity not in json.dumps(page.options)  # the user handle is opaque
    assert "Add a passkey" in page.response.text
    added = session_of(finish(client, page.state, key.create(page.options), headers=HTML))
    assert added["identity"]["id"] == identity
    assert added["provider"] == {"name": "passkey", "label": "Passkey"}

    me = client.get("/api/me", headers=bearer(token)).json()
    passkeys = [c for c in me["credentials"] if c["kind"] == "passkey"]
    assert len(passkeys) == 1 and passkeys[0]["provider"] == RP_ID
    assert passkeys[0]["label"].startswith("Passkey added ") and passkeys[0]["id"]
    assert key.id not in json.dumps(me)  # the credential id stays on the server

    again = open_page(client)  # a fresh sign-in, no ticket: the passkey alone
    message = session_of(finish(client, again.state, key.get(again.options), headers=HTML))
    assert message["identity"]["id"] == identity and message["token"] != token
    who = client.get("/api/me", headers=bearer(message["token"])).json()
    assert who["identity"]["id"] == identity and who["provider"]["name"] == "passkey"

    # A second registration excludes the passkeys the identity already has.
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    excluded = open_page(client, link=ticket).options["excludeCredentials"]
    assert [d["id"] for d in excluded] == [key.id]


def test_redirect_mode_returns_to_the_article(client: TestClient[Any]) -> None:
    token, identity = signed_in(client)
    key = register(client, token)
    page = open_page(client, mode="redirect")
    assert f"form-action 'self' {ORIGIN}" in page.response.headers["content-security-policy"]
    back = finish(client, page.state, key.get(page.options), headers=HTML)
    assert back.status_code == 303
    location = back.headers["location"]
    assert location.startswith(ARTICLE + "#rejoinder-session=")
    session = unquote(location.split("=", 1)[1])
    assert client.get("/api/me", headers=bearer(session)).json()["identity"]["id"] == identity

    page = open_page(client, mode="redirect")
    refused = finish(client, page.state, key.get(page.options, origin="https://evil.example"), headers=HTML)
    assert refused.status_code == 303
    assert refused.headers["location"] == ARTICLE + "#rejoinder-error=passkey-origin-mismatch"


def test_errors_are_posted_to_the_opener_only(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    page = open_page(client)
    refused = finish(client, page.state, key.get(page.options, rp_id="evil.example"), headers=HTML)
    assert refused.status_code == 403
    assert result(refused) == {
        "type": "rejoinder:error",
        "code": "passkey-rp-mismatch",
        "message": result(refused)["message"],
    }
    assert target(refused) == ORIGIN


# --- refusals -------------------------------------------------------------------------------------------


def test_a_replayed_answer_is_refused(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    page = open_page(client)
    answer = key.get(page.options)
    session_of(finish(client, page.state, answer, headers=HTML))
    problem(finish(client, page.state, answer), 403, "state-invalid")  # the challenge was used up


def test_a_replayed_registration_is_refused(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    page = open_page(client, link=ticket)
    answer = SoftKey(RP_ID, RP_ORIGIN).create(page.options)
    assert finish(client, page.state, answer).status_code == 200
    problem(finish(client, page.state, answer), 403, "state-invalid")
    problem(
        client.get("/auth/passkey/start", params={"site": "blog", "origin": ORIGIN, "link": ticket}),
        404,
        "link-ticket-not-found",
    )


def test_an_answer_to_another_challenge_is_refused(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    first, second = open_page(client), open_page(client)
    problem(finish(client, second.state, key.get(first.options)), 403, "passkey-challenge-mismatch")
    pages = []
    for _ in range(2):
        ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
        pages.append(open_page(client, link=ticket))
    other = SoftKey(RP_ID, RP_ORIGIN)
    problem(finish(client, pages[1].state, other.create(pages[0].options)), 403, "passkey-challenge-mismatch")


@pytest.mark.parametrize(
    ("forge", "status", "code"),
    [
        ({"origin": "https://evil.example"}, 403, "passkey-origin-mismatch"),
        ({"origin": "http://rejoinder.test:8080"}, 403, "passkey-origin-mismatch"),
        ({"rp_id": "evil.example"}, 403, "passkey-rp-mismatch"),
        ({"signer": "other"}, 403, "passkey-invalid"),
        ({"user_handle": b"someone-else"}, 403, "passkey-invalid"),
    ],
)
def test_forged_sign_in_answers_are_refused(
    client: TestClient[Any], forge: dict[str, Any], status: int, code: str
) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    if forge.get("signer") == "other":
        forge = {"signer": ec.generate_private_key(ec.SECP256R1())}
    page = open_page(client)
    problem(finish(client, page.state, key.get(page.options, **forge)), status, code)
    fresh = open_page(client)  # the real passkey still works afterwards
    assert finish(client, fresh.state, key.get(fresh.options)).status_code == 200


@pytest.mark.parametrize(
    ("forge", "code"),
    [
        ({"origin": "https://evil.example"}, "passkey-origin-mismatch"),
        ({"rp_id": "evil.example"}, "passkey-rp-mismatch"),
    ],
)
def test_forged_registrations_are_refused(client: TestClient[Any], forge: dict[str, Any], code: str) -> None:
    token, _ = signed_in(client)
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    page = open_page(client, link=ticket)
    problem(finish(client, page.state, SoftKey(RP_ID, RP_ORIGIN).create(page.options, **forge)), 403, code)
    me = client.get("/api/me", headers=bearer(token)).json()
    assert [c for c in me["credentials"] if c["kind"] == "passkey"] == []


def test_an_unknown_passkey_is_refused(client: TestClient[Any]) -> None:
    page = open_page(client)
    stranger = SoftKey(RP_ID, RP_ORIGIN, user_handle=b"x" * 32)
    problem(finish(client, page.state, stranger.get(page.options)), 404, "passkey-not-registered")


def test_a_sign_count_that_goes_back_is_refused(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    page = open_page(client)
    assert finish(client, page.state, key.get(page.options, count=5)).status_code == 200
    for count in (5, 3, 0):  # equal, lower, and "no counter" after counting: all look like a clone
        page = open_page(client)
        problem(finish(client, page.state, key.get(page.options, count=count)), 403, "passkey-sign-count")
    page = open_page(client)
    assert finish(client, page.state, key.get(page.options, count=6)).status_code == 200


def test_authenticators_without_a_counter_keep_working(client: TestClient[Any]) -> None:
    token, identity = signed_in(client)
    key = register(client, token)  # registered with counter 0, as synced passkeys are
    for _ in range(2):
        page = open_page(client)
        message = session_of(finish(client, page.state, key.get(page.options, count=0), headers=HTML))
        assert message["identity"]["id"] == identity


def test_a_passkey_of_another_identity_cannot_be_added(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    other = sign_in(client, "bob", name="Bob")
    assert other.token
    ticket = client.post("/api/me/link-ticket", headers=bearer(other.token)).json()["ticket"]
    page = open_page(client, link=ticket)
    problem(finish(client, page.state, key.create(page.options)), 409, "credential-in-use")


def test_the_ceremony_is_bound_to_the_browser(client: TestClient[Any], site_db: str) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    page = open_page(client)
    client.cookies.clear()  # the answer arrives from a browser that did not start the ceremony
    problem(finish(client, page.state, key.get(page.options)), 403, "browser-mismatch")


def test_the_ceremony_belongs_to_its_provider(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    page = open_page(client)
    problem(finish(client, page.state, key.get(page.options), provider="test"), 403, "state-invalid")
    problem(finish(client, page.state, key.get(page.options)), 403, "state-invalid")  # used up
    # an OpenID callback cannot finish a passkey ceremony either (it looks for flows of its own)
    page = open_page(client)
    callback = client.get("/auth/passkey/callback", params={"state": page.state}, headers=JSON)
    problem(callback, 403, "state-invalid")
    assert finish(client, page.state, key.get(page.options)).status_code == 200


def test_a_body_over_the_server_limit_is_refused(client: TestClient[Any]) -> None:
    page = open_page(client)
    problem(finish(client, page.state, "x" * 70_000), 413, "body-too-large")


GARBAGE: list[Any] = [
    "",
    "not json",
    "[1, 2]",
    "{}",
    {"id": "AAAA", "rawId": "AAAA", "type": "public-key"},
    {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": "!!", "authenticatorData": "AA", "signature": "AA"},
    },
    {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": b64u(b"{}"), "authenticatorData": "AA", "signature": "AA"},
    },
    {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": b64u(b"[]"), "authenticatorData": b64u(bytes(37)), "signature": "AA"},
    },
    {
        "id": "AAAA",
        "rawId": "BBBB",
        "type": "public-key",
        "response": {"clientDataJSON": "AA", "authenticatorData": b64u(bytes(37)), "signature": "AA"},
    },
    {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "other",
        "response": {"clientDataJSON": "AA", "authenticatorData": "AA", "signature": "AA"},
    },
    {"id": 5, "rawId": "AAAA", "type": "public-key", "response": {}},
    "x" * 40_000,
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_a_bad_request(client: TestClient[Any], garbage: Any) -> None:
    page = open_page(client)
    problem(finish(client, page.state, garbage), 400, "passkey-malformed")


@pytest.mark.parametrize("garbage", GARBAGE[:10], ids=range(10))
def test_garbage_registrations_are_bad_requests(client: TestClient[Any], garbage: Any) -> None:
    token, _ = signed_in(client)
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    page = open_page(client, link=ticket)
    if isinstance(garbage, dict) and "response" in garbage:
        garbage = {**garbage, "response": {**garbage["response"], "attestationObject": b64u(b"\xff\x00")}}
    problem(finish(client, page.state, garbage), 400, "passkey-malformed")


def test_a_wrong_kind_of_answer_is_refused(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    ticket = client.post("/api/me/link-ticket", headers=bearer(token)).json()["ticket"]
    adding = open_page(client, link=ticket)
    # a sign-in answer (webauthn.get) where a registration was asked for
    problem(finish(client, adding.state, key.get(adding.options)), 400, "passkey-malformed")


def test_missing_or_unknown_state(client: TestClient[Any]) -> None:
    problem(
        client.post("/auth/passkey/finish", data={"credential": "{}"}, headers=JSON), 403, "state-invalid"
    )
    problem(finish(client, "nope", "{}"), 403, "state-invalid")
    problem(finish(client, "x" * 500, "{}"), 403, "state-invalid")
    problem(
        client.post(
            "/auth/passkey/finish",
            content=b"\xff\xfe",
            headers={**JSON, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        403,
        "state-invalid",
    )


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"origin": "https://evil.example"}, 403, "origin-not-allowed"),
        ({"site": "nope"}, 404, "site-not-found"),
        ({"mode": "redirect", "return": "https://evil.example/x"}, 403, "return-not-allowed"),
        ({"mode": "sideways"}, 422, "mode-invalid"),
        ({"link": "not-a-ticket"}, 404, "link-ticket-not-found"),
    ],
)
def test_start_refusals(client: TestClient[Any], params: dict[str, str], status: int, code: str) -> None:
    query = {"site": "blog", "origin": ORIGIN, "mode": "popup", **params}
    problem(client.get("/auth/passkey/start", params=query, headers=JSON), status, code)


# --- listing and removing credentials ---------------------------------------------------------------------


def test_readers_remove_passkeys_but_never_the_last_credential(client: TestClient[Any]) -> None:
    token, _ = signed_in(client)
    key = register(client, token)
    creds = client.get("/api/me", headers=bearer(token)).json()["credentials"]
    assert sorted(c["kind"] for c in creds) == ["oidc", "passkey"]
    passkey = next(c for c in creds if c["kind"] == "passkey")
    other = next(c for c in creds if c["kind"] == "oidc")
    assert passkey["created"] and passkey["last_used"]

    problem(client.delete(f"/api/me/credentials/{passkey['id']}"), 401, "session-required")
    stranger = sign_in(client, "carol", name="Carol")
    problem(
        client.delete(f"/api/me/credentials/{passkey['id']}", headers=bearer(stranger.token)),
        404,
        "credential-not-found",
    )
    problem(client.delete("/api/me/credentials/nope", headers=bearer(token)), 404, "credential-not-found")

    removed = client.delete(f"/api/me/credentials/{passkey['id']}", headers=bearer(token))
    assert removed.status_code == 200, removed.text
    assert [c["kind"] for c in removed.json()["credentials"]] == ["oidc"]
    page = open_page(client)  # the removed passkey no longer signs in
    problem(finish(client, page.state, key.get(page.options)), 404, "passkey-not-registered")

    problem(
        client.delete(f"/api/me/credentials/{other['id']}", headers=bearer(token)), 409, "credential-last"
    )
    assert len(client.get("/api/me", headers=bearer(token)).json()["credentials"]) == 1


def test_a_passkey_can_be_the_only_way_left(client: TestClient[Any]) -> None:
    token, identity = signed_in(client)
    key = register(client, token)
    creds = client.get("/api/me", headers=bearer(token)).json()["credentials"]
    oidc = next(c for c in creds if c["kind"] == "oidc")
    assert client.delete(f"/api/me/credentials/{oidc['id']}", headers=bearer(token)).status_code == 200
    page = open_page(client)
    message = session_of(finish(client, page.state, key.get(page.options), headers=HTML))
    assert message["identity"]["id"] == identity
    passkey = client.get("/api/me", headers=bearer(token)).json()["credentials"][0]
    problem(
        client.delete(f"/api/me/credentials/{passkey['id']}", headers=bearer(token)), 409, "credential-last"
    )


def test_the_host_header_does_not_choose_the_relying_party(site_db: str) -> None:
    providers = {"passkey": {"preset": "passkey"}}
    public = {"public_url": "http://comments.example"}  # http: the TestClient sends no Secure cookie
    with auth_client(site_db, auth={"providers": providers}, server=public) as c:
        outcome = sign_in(c, name="Pat")
        assert outcome.token
        ticket = c.post("/api/me/link-ticket", headers=bearer(outcome.token)).json()["ticket"]
        page = open_page(c, link=ticket)
        assert page.options["rp"]["id"] == "comments.example"
        key = SoftKey("comments.example", "http://comments.example")
        assert finish(c, page.state, key.create(page.options)).status_code == 200
        page = open_page(c)
        assert page.options["rpId"] == "comments.example"
        # an answer made for the host the request named is refused
        problem(
            finish(c, page.state, key.get(page.options, origin=RP_ORIGIN)), 403, "passkey-origin-mismatch"
        )
        page = open_page(c)
        assert finish(c, page.state, key.get(page.options)).status_code == 200


@pytest.mark.parametrize("where", ["answer", "clientDataJSON"])
def test_a_deeply_nested_answer_is_a_bad_request_not_a_crash(client: TestClient[Any], where: str) -> None:
    """The answer and its clientDataJSON are JSON parsed by json.loads: 5,000 `[` would exhaust its stack
    (a RecursionError, a 500) unless the depth is checked first (defect 2 of #10)."""
    page = open_page(client)
    deep = "[" * 5_000
    if where == "answer":
        credential: Any = deep
    else:
        data = b64u(deep.encode())
        credential = {
            "id": "AAAA",
            "rawId": "AAAA",
            "type": "public-key",
            "response": {
                "clientDataJSON": data,
                "authenticatorData": b64u(bytes(37)),
                "signature": b64u(bytes(8)),
            },
        }
    response = finish(client, page.state, credential)
    problem(response, 400, "passkey-malformed")
    assert "nested too deeply" in response.json()["detail"]
