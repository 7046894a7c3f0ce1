"""rejoinder behind nginx and Caddy as docs/install.md configures them, on the default server (Granian, which
applies no forwarding header itself): what a TLS-terminating proxy says about scheme and host is believed
from a trusted proxy only, and the admin sign-in and the no-JS form work on the first try, with or without
`server.public_url`. nginx's documented cache serves thread reads itself and shows a new comment once the
`cache.max_age` window has passed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from rejoinder.services import admin_auth
from tests.fixtures.admin import PASSWORD, csrf_of
from tests.fixtures.app import ARTICLE, make_settings, run_cli
from tests.fixtures.servers import start_server

PUBLIC = "https://comments.example.org"
HOST = {"Host": "comments.example.org"}


def _config(tmp_path: Path, public_url: str) -> Path:
    path = tmp_path / "rejoinder.toml"
    path.write_text(
        f'[server]\npublic_url = "{public_url}"\n'
        '[moderation]\ntrusted_proxies = ["127.0.0.1", "::1"]\nmin_seconds = 0\n'
        f'[admin]\nusername = "root"\npassword_hash = "{admin_auth.hash_password(PASSWORD)}"\n'
    )
    return path


def _cookies(response: httpx.Response) -> dict[str, tuple[str, str]]:
    """name -> (value, the whole Set-Cookie line), for cookies httpx would not send back over plain http."""
    out = {}
    for line in response.headers.get_list("set-cookie"):
        name, _, rest = line.partition("=")
        out[name] = (rest.split(";", 1)[0], line)
    return out


def _sign_in(proxy: str) -> httpx.Response:
    with httpx.Client(base_url=proxy, headers={**HOST, "Accept": "text/html"}) as http:
        page = http.get("/admin/login")
        assert page.status_code == 200, page.text
        pre = _cookies(page)
        assert set(pre) == {"__Secure-rejoinder-admin-pre"}, pre  # https as the proxy reported it
        assert "; Secure" in pre["__Secure-rejoinder-admin-pre"][1]
        return http.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "username": "root", "password": PASSWORD, "next": "/admin"},
            headers={
                "Origin": PUBLIC,
                "Cookie": "; ".join(f"{name}={value}" for name, (value, _) in pre.items()),
            },
        )


PROXIES = ["nginx_in_front", "caddy_in_front"]


@pytest.mark.parametrize("proxy_kind", PROXIES)
@pytest.mark.parametrize("public_url", ["", PUBLIC])
def test_admin_sign_in_through_a_tls_terminating_proxy(
    public_url: str, proxy_kind: str, sqlite_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    in_front: Callable[[int], str] = request.getfixturevalue(proxy_kind)
    run_cli(sqlite_url, "site", "add", "blog", "--origin", "https://blog.example")
    server = start_server(sqlite_url, tmp_path, env={"REJOINDER_CONFIG": str(_config(tmp_path, public_url))})
    try:
        proxy = in_front(server.port)
        signed_in = _sign_in(proxy)
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == "/admin"
        session = _cookies(signed_in)["__Secure-rejoinder-admin"]
        assert "; Secure" in session[1] and "Path=/admin" in session[1] and "HttpOnly" in session[1]
        with httpx.Client(base_url=proxy, headers={**HOST, "Accept": "text/html"}) as http:
            home = http.get("/admin", headers={"Cookie": f"__Secure-rejoinder-admin={session[0]}"})
        assert home.status_code == 200, home.text
        assert "Sign out" in home.text
    finally:
        server.stop()


@pytest.mark.parametrize("proxy_kind", PROXIES)
@pytest.mark.parametrize("public_url", ["", PUBLIC])
def test_the_no_js_form_posts_through_a_tls_terminating_proxy(
    public_url: str, proxy_kind: str, sqlite_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    in_front: Callable[[int], str] = request.getfixturevalue(proxy_kind)
    run_cli(sqlite_url, "site", "add", "blog", "--origin", "https://blog.example")
    server = start_server(sqlite_url, tmp_path, env={"REJOINDER_CONFIG": str(_config(tmp_path, public_url))})
    try:
        proxy = in_front(server.port)
        with httpx.Client(base_url=proxy, headers=HOST) as http:
            page = http.get("/thread", params={"url": ARTICLE})
            assert page.status_code == 200, page.text
            fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
            posted = http.post(
                "/thread",
                data={**fields, "text": "Posted through the proxy", "name": "Ann"},
                headers={"Origin": PUBLIC},
            )
            assert posted.status_code == 303, posted.text
            assert posted.headers["location"].startswith("/thread?url=")
            thread = http.get("/api/threads", params={"url": ARTICLE}).json()
        assert [c["text"] for c in thread["comments"]] == ["Posted through the proxy"]
    finally:
        server.stop()


def test_forwarding_headers_from_anyone_else_are_ignored(site_db: str) -> None:
    """A client that is not a trusted proxy cannot claim another scheme or host: the in-process client's
    address is not in trusted_proxies, so its X-Forwarded-* and Forwarded headers change nothing."""
    settings = make_settings(
        site_db,
        moderation={"trusted_proxies": ["127.0.0.1"]},
        admin={"username": "root", "password_hash": admin_auth.hash_password(PASSWORD)},
    )
    from rejoinder.app import create_app

    forged = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "Forwarded": "proto=https;host=evil.example",
        "Accept": "text/html",
    }
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1:8080") as client:  # type: ignore[arg-type]
        page = client.get("/admin/login", headers=forged)
        assert set(_cookies(page)) == {"rejoinder-admin-pre"}  # not https: the claim was ignored
        refused = client.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "username": "root", "password": PASSWORD, "next": "/admin"},
            headers={**forged, "Origin": "https://evil.example"},
        )
        assert refused.status_code == 403
        assert "another site" in refused.text
        assert not _cookies(refused).get("rejoinder-admin")


def _until(check: Callable[[], httpx.Response | None], seconds: float) -> tuple[httpx.Response, float]:
    """Poll `check` until it returns a response; that response and how long it took."""
    start = time.monotonic()
    while True:
        found = check()
        if found is not None:
            return found, time.monotonic() - start
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        time.sleep(0.05)


def test_nginx_cache_serves_thread_reads_and_shows_a_write_after_the_window(
    sqlite_url: str, tmp_path: Path, nginx_in_front: Callable[..., str]
) -> None:
    """The documented cache: nginx answers repeated thread reads itself (HIT), asks rejoinder again once
    `cache.max_age` has passed (a 304 when nothing changed: REVALIDATED), and shows a new comment to every
    reader within that window of the write."""
    run_cli(sqlite_url, "site", "add", "blog", "--origin", "https://blog.example")
    config = _config(tmp_path, PUBLIC)
    config.write_text(config.read_text() + "[cache]\nmax_age = 1\n")
    server = start_server(sqlite_url, tmp_path, env={"REJOINDER_CONFIG": str(config)})
    try:
        proxy = nginx_in_front(server.port, 1)
        with httpx.Client(base_url=proxy, headers={**HOST, "Accept-Encoding": "gzip"}) as http:

            def thread() -> httpx.Response:
                response = http.get("/api/threads", params={"url": ARTICLE})
                assert response.status_code == 200, response.text
                return response

            first = thread()
            assert first.headers["x-cache-status"] == "MISS"
            assert first.headers["cache-control"] == "public, max-age=0, s-maxage=1, must-revalidate"
            again = thread()
            assert again.headers["x-cache-status"] == "HIT"
            assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
            assert first.json()["comments"] == []

            revalidated, _ = _until(
                lambda: ((r := thread()).headers["x-cache-status"] != "HIT" and r) or None, 10
            )
            assert revalidated.headers["x-cache-status"] == "REVALIDATED"  # rejoinder said 304: unchanged
            assert revalidated.content == first.content

            posted = http.post(
                "/api/comments",
                json={"url": ARTICLE, "text": "Seen through the cache", "author": {"name": "Ann"}},
                headers={"Origin": "https://blog.example"},
            )
            assert posted.status_code == 201, posted.text
            shown, waited = _until(lambda: ((r := thread()).json()["comments"] and r) or None, 10)
            assert [c["text"] for c in shown.json()["comments"]] == ["Seen through the cache"]
            assert shown.headers["x-cache-status"] in {"EXPIRED", "MISS"}  # fetched anew from rejoinder
            assert shown.headers["etag"] != first.headers["etag"]
            assert waited < 1 + 2  # the window (cache.max_age = 1 s) and a margin for a loaded machine

            counts = http.get("/api/counts", params={"url": ARTICLE})
            assert counts.status_code == 200 and counts.headers["x-cache-status"] in {"MISS", "EXPIRED"}
            assert http.get("/api/counts", params={"url": ARTICLE}).headers["x-cache-status"] == "HIT"
            # Writes and everything else pass straight through, never from the cache.
            assert "x-cache-status" not in posted.headers
    finally:
        server.stop()
