"""web/static.py serves every static file the same way: an ETag, the right Cache-Control (a year and immutable
at a content-hashed URL, minutes at a plain documented one), 304 on If-None-Match, and the hashed URLs the
pages link are the hashes of what is served."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from litestar.testing import TestClient

from rejoinder.web.signin_pages import page
from rejoinder.web.static import ASSETS, IMMUTABLE, LOCALES, PAGE_FILES, PAGE_SHORT, SHORT, hashed_path, href
from tests.fixtures.app import ARTICLE, ORIGIN

LOCALE_CACHE = "public, max-age=3600, stale-while-revalidate=86400"


def every_url() -> list[tuple[str, str, bool]]:
    """(URL, Cache-Control, loaded from other origins) of every file."""
    urls = []
    for name in ("embed.js", "embed.css", "count.js"):
        urls += [(f"/{name}", SHORT, True), (hashed_path(name), IMMUTABLE, True)]
    urls += [(hashed_path(name), IMMUTABLE, True) for name in ASSETS if name.startswith("embed-")]
    urls += [(f"/locales/{lang}.json", LOCALE_CACHE, True) for lang in LOCALES]
    urls += [(f"/locales/{lang}.errors.json", LOCALE_CACHE, True) for lang in LOCALES]
    urls += [("/auth/icons/github.svg", LOCALE_CACHE, True)]
    for url in PAGE_FILES:
        urls += [(url, PAGE_SHORT, False), (href(url), IMMUTABLE, False), (f"{url}?v=old", PAGE_SHORT, False)]
    return urls


def sha12(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


def test_every_file_has_an_etag_cache_control_and_answers_304(client: TestClient[Any]) -> None:
    urls = every_url()
    assert len(urls) == 6 + len([n for n in ASSETS if n.startswith("embed-")]) + 2 * len(LOCALES) + 1 + 18
    for url, cache, cross_origin in urls:
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, url
        assert plain.headers["cache-control"] == cache, url
        assert plain.headers["etag"] == f'"{sha12(plain.content)}"', url
        assert plain.headers["x-content-type-options"] == "nosniff", url
        assert plain.headers.get("access-control-allow-origin") == ("*" if cross_origin else None), url
        again = client.get(
            url, headers={"Accept-Encoding": "identity", "If-None-Match": plain.headers["etag"]}
        )
        assert (again.status_code, again.content, again.headers["etag"]) == (
            304,
            b"",
            plain.headers["etag"],
        ), url
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip", url
        assert zipped.headers["etag"] == f'"{sha12(plain.content)}-gz"', url
        assert zipped.content == plain.content, url  # the test client decodes gzip
        stale = client.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": '"000000000000"'})
        assert (stale.status_code, stale.content) == (200, plain.content), url


def test_the_page_files_keep_their_documented_urls_and_types(client: TestClient[Any]) -> None:
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
    assert sorted(PAGE_FILES) == [
        "/admin/static/admin.css",
        "/admin/static/admin.js",
        "/static/demo.css",
        "/static/handback.js",
        "/static/noscript.css",
        "/static/passkey.js",
    ]
    for url in PAGE_FILES:
        response = client.get(url)
        assert response.headers["content-type"] == types[url[url.rindex(".") :]], url
    for url in ("/static/other.css", "/static/embed.js", "/admin/static/noscript.css", "/admin/static/x"):
        missing = client.get(url)
        assert missing.status_code == 404, url
        assert missing.headers["content-type"] == "application/problem+json", url
        assert missing.json()["code"] == "not-found", url


def linked(text: str, pattern: str) -> list[str]:
    return re.findall(pattern, text)


def test_the_hashed_urls_in_the_pages_match_what_is_served(client: TestClient[Any]) -> None:
    thread = client.get("/thread", params={"url": ARTICLE}, headers={"Accept": "text/html"}).text
    login = client.get("/admin/login").text
    failed = page(  # the sign-in error page, as a popup whose opener is known sees it
        "error.html",
        403,
        lang="en",
        detail="No",
        code="x",
        label="",
        target=ORIGIN,
        message={"type": "rejoinder:error"},
        wait="",
    ).content.decode()
    found = (
        linked(thread, r'href="(/static/noscript\.css\?v=[0-9a-f]{12})"')
        + linked(login, r'href="(/admin/static/admin\.css\?v=[0-9a-f]{12})"')
        + linked(failed, r'src="(/static/handback\.js\?v=[0-9a-f]{12})"')
    )
    assert len(found) == 3, found
    for url in [*found, href("/static/passkey.js"), href("/static/demo.css"), href("/admin/static/admin.js")]:
        response = client.get(url)
        assert url.endswith(f"?v={sha12(response.content)}"), url
        assert response.headers["cache-control"] == IMMUTABLE
    embed = client.get("/embed.js").content
    css = client.get("/embed.css").content
    assert f'"/embed.{sha12(css)}.css"'.encode() in embed
    for name in (n for n in ASSETS if n.startswith("embed-")):
        part = client.get(f"/{name}").content
        assert name.split(".")[1] == sha12(part), name
