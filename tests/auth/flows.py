"""Driving a sign-in popup over HTTP: start page → provider → callback page, and reading the result."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from litestar.testing import TestClient

from tests.fixtures.app import ORIGIN, make_settings
from tests.fixtures.oidc import OpenIdProvider, op_login, op_settings

_CONTINUE = re.compile(r'<a id="rj-continue" href="([^"]+)"')
_RESULT = re.compile(r'<script type="application/json" id="rj-result"[^>]*>(.*?)</script>', re.S)
_TARGET = re.compile(r'<script type="application/json" id="rj-result" data-target="([^"]*)"')


def op_config(db_url: str, op: OpenIdProvider, secret_file: str, **sections: dict[str, Any]) -> Any:
    """Settings with [auth.providers.op] pointing at the loopback provider (secret from a file)."""
    provider = op_settings(op, client_secret_env="", client_secret_file=secret_file)
    auth = {"providers": {"op": provider}, **sections.pop("auth", {})}
    return make_settings(db_url, auth=auth, **sections)


def start(
    client: TestClient[Any],
    provider: str = "op",
    *,
    site: str | None = "blog",
    origin: str | None = ORIGIN,
    **params: str,
) -> httpx.Response:
    query = {k: v for k, v in {"site": site, "origin": origin, **params}.items() if v is not None}
    return client.get(f"/auth/{provider}/start", params=query, headers={"Accept": "text/html"})


def provider_url(page: httpx.Response) -> str:
    """The provider URL the "Connecting to …" page sends the popup to."""
    assert page.status_code == 200, page.text
    found = _CONTINUE.search(page.text)
    assert found, page.text
    return html.unescape(found.group(1))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def result(page: httpx.Response) -> dict[str, Any]:
    """The message the callback page posts to its opener."""
    found = _RESULT.search(page.text)
    assert found, page.text
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def target(page: httpx.Response) -> str:
    """The targetOrigin the callback page uses for postMessage."""
    found = _TARGET.search(page.text)  # read by /static/handback.js (the page has no inline script)
    assert found, page.text
    return html.unescape(found.group(1))


def callback(client: TestClient[Any], url: str) -> httpx.Response:
    return client.get(url, headers={"Accept": "text/html"})


def sign_in_at_op(client: TestClient[Any], login: str = "alice", **params: str) -> httpx.Response:
    """The whole popup: start, log in at the provider, come back. Returns the callback response."""
    url = provider_url(start(client, **params))
    return callback(client, op_login(url, login))
