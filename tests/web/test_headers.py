"""Every HTML page carries the security headers (web/headers.py; #10 "Supply chain and headers" and the last
item of defect 11): a CSP without inline script and with `frame-ancestors`, `X-Content-Type-Options:
nosniff`, a `Referrer-Policy`, `X-Frame-Options`, and `charset=utf-8` once. The GET routes are walked from
the app's route table (a new page is checked without being listed), and every template is read for inline
script, so that pages reached only after a sign-in are covered too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import Rejoinder, create_app
from rejoinder.web.headers import DEFAULT_CSP
from tests.fixtures.app import ARTICLE, make_settings, post_comment

PARAMS = {"url": ARTICLE, "site": "blog", "token": "x"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def get_paths(app: Rejoinder) -> list[str]:
    """A concrete path for every GET route of the app (path parameters filled with something plausible)."""
    paths = []
    for route in app.litestar.routes:
        if "GET" not in getattr(route, "methods", ()):
            continue
        path = re.sub(r"\{provider:str\}", "email", route.path)
        path = re.sub(r"\{[a-z_]+:int\}", "1", path)
        path = re.sub(r"\{path:str\}", "x", path)
        paths.append(re.sub(r"\{[a-z_]+:str\}", "x", path))
    return sorted(set(paths))


def directives(csp: str) -> dict[str, str]:
    found = {}
    for part in csp.split(";"):
        words = part.strip().split(None, 1)
        if words:
            found[words[0]] = words[1] if len(words) > 1 else ""
    return found


def assert_secure_html(path: str, response: Any) -> None:
    assert response.headers["content-type"] == "text/html; charset=utf-8", path
    assert response.headers["x-content-type-options"] == "nosniff", path
    assert response.headers["referrer-policy"] in {
        "same-origin",
        "no-referrer",
        "strict-origin-when-cross-origin",
    }
    assert response.headers["x-frame-options"] == "DENY", path
    csp = directives(response.headers["content-security-policy"])
    assert csp["default-src"] == "'none'", (path, csp)
    assert csp["frame-ancestors"] == "'none'", (path, csp)
    assert csp["base-uri"] == "'none'", (path, csp)
    script = csp.get("script-src", "")
    assert "'unsafe-inline'" not in script and "nonce-" not in script and "'unsafe-eval'" not in script, path
    assert not INLINE_SCRIPT.search(response.text), (path, INLINE_SCRIPT.search(response.text))
    assert not HANDLER_ATTRIBUTE.search(response.text), path
    assert "javascript:" not in response.text.lower(), path


@pytest.fixture
def served(site_db: str) -> Iterator[tuple[Rejoinder, TestClient[Any]]]:
    app = create_app(make_settings(site_db))
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        yield app, client


def test_every_html_page_of_the_route_table_has_the_headers(
    served: tuple[Rejoinder, TestClient[Any]], subtests: Any
) -> None:
    app, client = served
    post_comment(client, "Hello")
    html_pages = []
    # The live stream answers text/event-stream for minutes by design (tests/web/test_live.py covers it).
    for path in [p for p in get_paths(app) if p != "/api/threads/live"]:
        for accept in ("text/html", "*/*"):
            response = client.get(path, params=PARAMS, headers={"Accept": accept}, follow_redirects=True)
            if response.headers.get("content-type", "").startswith("text/html"):
                html_pages.append(path)
                with subtests.test(msg=f"{path} {accept}"):
                    assert_secure_html(path, response)
    # The walk did reach the pages people see: the plain thread, the fragment, sign-in, /admin, the API docs.
    for expected in ("/thread", "/thread/fragment", "/auth/email/start", "/admin/login", "/api/docs"):
        assert expected in html_pages, (expected, sorted(set(html_pages)))


def test_error_pages_have_them_too(client: TestClient[Any]) -> None:
    for path, status in (
        ("/thread?url=https://evil.example/x", 403),
        ("/thread/fragment", 422),
        ("/auth/email/verify?token=x", 404),
        ("/auth/nope/start", 422),
    ):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == status, (path, response.status_code)
        assert_secure_html(path, response)


def test_a_page_without_a_policy_gets_the_default(client: TestClient[Any]) -> None:
    response = client.get("/api/docs", headers={"Accept": "text/html"})
    assert response.status_code == 200
    csp = directives(response.headers["content-security-policy"])
    assert csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
    assert '<script src="/api/docs/assets/init.js" defer></script>' in response.text
    init = client.get("/api/docs/assets/init.js")
    assert init.status_code == 200 and "SwaggerUIBundle" in init.text
    assert client.get("/api/docs/oauth2-redirect.html").status_code == 404
    assert directives(DEFAULT_CSP.decode())["frame-ancestors"] == "'none'"


def test_no_template_has_inline_script() -> None:
    """Pages reached only after a sign-in or with a session (the popup's last page, /admin) are checked on
    their templates: a script is a file on this origin, data a `<script type="application/json">`."""
    root = resources.files("rejoinder").joinpath("templates")
    checked = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for template in folder.iterdir():
            if not template.name.endswith(".html"):
                continue
            text = template.read_text()
            checked += 1
            assert not INLINE_SCRIPT.search(text), (template.name, INLINE_SCRIPT.search(text))
            assert not HANDLER_ATTRIBUTE.search(text), template.name
            assert "nonce" not in text, template.name
    assert checked > 30


def test_html_declares_its_charset_once(client: TestClient[Any]) -> None:
    """Defect 11: `text/html; charset=utf-8; charset=utf-8` (Litestar adds the charset to text/ types)."""
    for path in (
        "/thread",
        "/admin/login",
        "/static/noscript.css",
        "/admin/static/admin.css",
        "/static/handback.js",
    ):
        response = client.get(path, params={"url": ARTICLE}, headers={"Accept": "text/html"})
        assert response.headers["content-type"].count("charset") == 1, (
            path,
            response.headers["content-type"],
        )
