"""Signed-in readers' pictures from their sign-in provider: recorded at sign-in (publisher SSO, the loopback
OpenID provider, a Mastodon-style server), downloaded by the server in the background from a loopback
picture server the test starts and stops, and served from rejoinder's own /api/avatars URL, which comments,
likers and /api/me already name. Pictures that cannot or may not be taken leave the identicon."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from tests.auth.conftest import auth_client
from tests.auth.flows import callback, op_config, provider_url, query_of, result, sign_in_at_op, start
from tests.auth.helpers import bearer
from tests.auth.sso_support import claims, exchange, hs_key, mint, new_secret, write_secret
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings
from tests.fixtures.oidc import OpenIdProvider


def png(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 2) -> bytes:
    """A real (tiny) PNG file."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "image/png"
    status: int = 200
    delay: float = 0.0
    location: str | None = None
    length: bool = True  # send Content-Length (False: the body ends when the connection closes)


@dataclass
class PictureServer:
    """A provider's picture host on loopback: `routes` by path, `requests` as (path, headers) received."""

    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def serve_pictures() -> Iterator[PictureServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True  # a deliberately slow answer must not hold the test's teardown
    pictures = PictureServer(url=f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            pictures.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = pictures.routes.get(self.path, Route(status=404, content_type="text/plain"))
            try:
                time.sleep(route.delay)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.location:
                    self.send_header("Location", route.location)
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except OSError:  # rejoinder gave up (too slow, too large) and closed the connection
                pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pictures
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def pictures() -> Iterator[PictureServer]:
    with serve_pictures() as served:
        served.routes["/ann.png"] = Route(PNG)
        yield served


SECRET = new_secret()
LOOPBACK = {"pictures_allow_private": True, "picture_timeout": 1}  # the tests' picture server is on loopback


def sso_app(db_url: str, tmp_path: Path, **avatars: Any) -> TestClient[Any]:
    keys = [{"kid": "k1", "secret_file": write_secret(tmp_path, SECRET, "k1")}]
    return auth_client(
        db_url, auth={"providers": {"pub": {"preset": "sso", "keys": keys}}}, avatars={**LOOPBACK, **avatars}
    )


def sso_sign_in(client: TestClient[Any], sub: str, picture: str | None) -> dict[str, Any]:
    response = exchange(
        client, mint(hs_key(SECRET, "k1"), claims(sub=sub, name=f"Reader {sub}", picture=picture))
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def settled(client: TestClient[Any], avatar: str, timeout: float = 15) -> httpx.Response:
    """The avatar once no download for it is running (until then it is sent with no-cache)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(avatar)
        assert response.status_code == 200, response.text
        if response.headers["cache-control"] != "no-cache" or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def post_as(client: TestClient[Any], token: str, text: str) -> dict[str, Any]:
    response = client.post(
        "/api/comments", json={"url": ARTICLE, "text": text}, headers={"Origin": ORIGIN, **bearer(token)}
    )
    assert response.status_code == 201, response.text
    comment: dict[str, Any] = response.json()
    return comment


def test_a_signed_in_comment_shows_the_provider_picture_served_by_rejoinder(
    site_db: str, tmp_path: Path, pictures: PictureServer
) -> None:
    pictures.routes["/moved"] = Route(status=302, location="/ann.png", content_type="text/html")
    with sso_app(site_db, tmp_path) as client:
        signed = sso_sign_in(client, "ann", pictures.url + "/moved")
        avatar = signed["identity"]["avatar"]
        assert avatar.startswith("/api/avatars/")
        comment = post_as(client, signed["token"], "With my picture")
        assert comment["author"]["avatar"] == avatar

        served = settled(client, avatar)
        assert served.headers["content-type"] == "image/png"
        assert served.content == PNG
        assert served.headers["cache-control"] == "public, max-age=3600"
        assert pictures.paths() == ["/moved", "/ann.png"]  # one download, through one redirect
        for _, headers in pictures.requests:  # nothing of the reader's goes along
            assert "cookie" not in headers and "authorization" not in headers and "referer" not in headers
            assert headers["user-agent"].startswith("rejoinder")

        # The thread, the no-JS page and the likers name rejoinder's URL, never the provider's.
        me = client.get("/api/me", headers=bearer(signed["token"]))
        client.patch("/api/me", json={"show_in_likes": True}, headers=bearer(signed["token"]))
        liked = client.put(
            "/api/threads/like",
            params={"url": ARTICLE},
            headers={"Origin": ORIGIN, **bearer(signed["token"])},
        )
        assert liked.status_code == 200, liked.text
        thread = client.get("/api/threads", params={"url": ARTICLE})
        [shown] = thread.json()["comments"]
        assert shown["author"]["avatar"] == avatar
        assert thread.json()["thread"]["likes"]["recent"] == [{"name": "Reader ann", "avatar": avatar}]
        page = client.get("/thread", params={"site": "blog", "url": ARTICLE})
        for body in (thread.text, me.text, page.text):
            assert pictures.url not in body and "/ann.png" not in body and "/moved" not in body

        # Revalidation: unchanged answers 304 without a body.
        etag = served.headers["etag"]
        again = client.get(avatar, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""


def test_a_new_picture_replaces_the_old_one_on_earlier_comments(
    site_db: str, tmp_path: Path, pictures: PictureServer
) -> None:
    pictures.routes["/ann.gif"] = Route(GIF, content_type="image/gif")
    with sso_app(site_db, tmp_path) as client:
        first = sso_sign_in(client, "ann", pictures.url + "/ann.png")
        avatar = post_as(client, first["token"], "Earlier")["author"]["avatar"]
        before = settled(client, avatar)
        assert before.content == PNG

        # The same picture again soon after: not downloaded again (an SSO token may be exchanged often).
        sso_sign_in(client, "ann", pictures.url + "/ann.png")
        assert settled(client, avatar).content == PNG
        assert pictures.paths() == ["/ann.png"]

        second = sso_sign_in(client, "ann", pictures.url + "/ann.gif")
        assert second["identity"]["avatar"] == avatar  # the same URL everywhere, the new image behind it
        after = settled(client, avatar)
        assert (after.headers["content-type"], after.content) == ("image/gif", GIF)
        assert after.headers["etag"] != before.headers["etag"]
        stale = client.get(avatar, headers={"If-None-Match": before.headers["etag"]})
        assert stale.status_code == 200 and stale.content == GIF
        [earlier] = client.get("/api/threads", params={"url": ARTICLE}).json()["comments"]
        assert earlier["author"]["avatar"] == avatar


def test_other_workers_do_not_keep_the_stand_in_while_a_picture_downloads(
    site_db: str, tmp_path: Path, pictures: PictureServer
) -> None:
    pictures.routes["/slowish.png"] = Route(PNG, delay=1.0)
    with sso_app(site_db, tmp_path, picture_timeout=10) as one, sso_app(site_db, tmp_path) as other:
        avatar = sso_sign_in(one, "ann", pictures.url + "/slowish.png")["identity"]["avatar"]
        meanwhile = other.get(avatar)  # another worker, which is not downloading anything itself
        assert meanwhile.headers["content-type"].startswith("image/svg+xml")
        assert meanwhile.headers["cache-control"] == "no-cache"
        assert settled(one, avatar).content == PNG
        done = other.get(avatar)
        assert (done.content, done.headers["cache-control"]) == (PNG, "public, max-age=3600")


BAD = {
    "not-an-image": Route(b"<html><script>alert(1)</script></html>", content_type="image/png"),
    "svg": Route(b'<svg xmlns="http://www.w3.org/2000/svg"/>', content_type="image/svg+xml"),
    "too-large": Route(b"\x89PNG\r\n\x1a\n" + b"\x00" * (300 * 1024)),
    "too-large-unannounced": Route(b"\x89PNG\r\n\x1a\n" + b"\x00" * (300 * 1024), length=False),
    "slow": Route(PNG, delay=3.0),
    "missing": Route(b"gone", status=404, content_type="text/plain"),
    "redirect-loop": Route(status=302, location="/redirect-loop", content_type="text/html"),
}


def test_pictures_that_cannot_be_taken_leave_the_identicon(
    site_db: str, tmp_path: Path, pictures: PictureServer
) -> None:
    for name, route in BAD.items():
        pictures.routes[f"/{name}"] = route
    with sso_app(site_db, tmp_path) as client:
        avatars = {}
        for name in BAD:
            signed = sso_sign_in(client, name, f"{pictures.url}/{name}")
            avatars[name] = post_as(client, signed["token"], f"As {name}")["author"]["avatar"]
        for name, avatar in avatars.items():
            served = settled(client, avatar)
            assert served.headers["content-type"].startswith("image/svg+xml"), name
            assert served.headers["cache-control"] == "public, max-age=3600", name
        assert pictures.paths().count("/redirect-loop") == 4  # the first request and 3 redirects, no more
        assert set(pictures.paths()) == {f"/{name}" for name in BAD}  # each was tried
        thread = client.get("/api/threads", params={"url": ARTICLE}).text
        assert pictures.url not in thread


def test_private_addresses_and_plain_http_are_never_contacted(
    site_db: str, tmp_path: Path, pictures: PictureServer
) -> None:
    port = pictures.url.rsplit(":", 1)[1]
    refused = {
        "loopback": f"https://127.0.0.1:{port}/ann.png",
        "localhost": f"https://localhost:{port}/ann.png",
        "plain-http": f"http://127.0.0.1:{port}/ann.png",
    }
    with sso_app(site_db, tmp_path, pictures_allow_private=False) as client:
        for name, url in refused.items():
            signed = sso_sign_in(client, name, url)
            served = settled(client, signed["identity"]["avatar"])
            assert served.headers["content-type"].startswith("image/svg+xml"), name
    assert pictures.requests == []


def test_provider_pictures_can_be_turned_off(site_db: str, tmp_path: Path, pictures: PictureServer) -> None:
    with sso_app(site_db, tmp_path) as client:
        avatar = sso_sign_in(client, "ann", pictures.url + "/ann.png")["identity"]["avatar"]
        assert settled(client, avatar).content == PNG
    pictures.requests.clear()
    with sso_app(site_db, tmp_path, provider_pictures=False) as client:
        # A picture kept from before is no longer shown, and new sign-ins download nothing.
        served = client.get(avatar)
        assert served.headers["content-type"].startswith("image/svg+xml")
        assert served.headers["cache-control"] == "public, max-age=3600"
        other = sso_sign_in(client, "bob", pictures.url + "/ann.png")["identity"]["avatar"]
        assert client.get(other).headers["content-type"].startswith("image/svg+xml")
    assert pictures.requests == []


def test_the_loopback_openid_providers_picture_claim(
    site_db: str, tmp_path: Path, openid_provider: OpenIdProvider, pictures: PictureServer
) -> None:
    secret = tmp_path / "op-secret"
    secret.write_text(openid_provider.client_secret)
    login = f"pic-{tmp_path.name[-12:]}".lower()
    openid_provider.set_picture(login, pictures.url + "/ann.png")
    app = create_app(op_config(site_db, openid_provider, str(secret), avatars=LOOPBACK))
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        message = result(sign_in_at_op(client, login))
        assert message["type"] == "rejoinder:session"
        avatar = post_as(client, message["token"], "Signed in at the provider")["author"]["avatar"]
        served = settled(client, avatar)
        assert (served.headers["content-type"], served.content) == ("image/png", PNG)
        me = client.get("/api/me", headers=bearer(message["token"]))
        assert me.json()["identity"]["avatar"] == avatar and pictures.url not in me.text


def test_a_mastodon_accounts_avatar(site_db: str) -> None:
    from tests.auth.fake_mastodon import fake_mastodon

    settings = make_settings(
        site_db, auth={"providers": {"mastodon": {}}, "fediverse_allow_private": True}, avatars=LOOPBACK
    )
    app = create_app(settings)
    with TestClient(app=app, base_url="http://rejoinder.test") as client, fake_mastodon() as masto:  # type: ignore[arg-type]
        masto.avatar = png((20, 120, 20))
        url = provider_url(start(client, "mastodon", server=masto.url))
        state = query_of(url)["state"]
        done = callback(client, f"/auth/mastodon/callback?code={masto.authorize(url)}&state={state}")
        served = settled(client, result(done)["identity"]["avatar"])
        assert (served.headers["content-type"], served.content) == ("image/png", masto.avatar)


# --- where each preset finds the picture (no network) ----------------------------------------------------

PICTURE_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("google", {"sub": "g1", "picture": "https://lh3.example/a.jpg"}, "https://lh3.example/a.jpg"),
    ("microsoft", {"sub": "m1", "picture": "https://graph.microsoft.com/v1.0/me/photo/$value"}, None),
    ("apple", {"sub": "a1"}, None),
    (
        "github",
        {"id": 42, "login": "octo", "avatar_url": "https://avatars.example/u/42?v=4"},
        "https://avatars.example/u/42?v=4",
    ),
    (
        "gitlab",
        {"sub": "7", "picture": "https://gitlab.example/uploads/a.png"},
        "https://gitlab.example/uploads/a.png",
    ),
    (
        "facebook",
        {"id": "f1", "name": "Fay", "picture": {"data": {"url": "https://fb.example/p.jpg", "width": 50}}},
        "https://fb.example/p.jpg",
    ),
    (
        "discord",
        {"id": "80351", "username": "dee", "avatar": "a_1b2c3d"},
        "https://cdn.discordapp.com/avatars/80351/a_1b2c3d.png",
    ),
    ("discord", {"id": "80351", "username": "dee", "avatar": None}, None),
    ("discord", {"id": "80351", "username": "dee", "avatar": "../../x?y"}, None),  # never spliced into a URL
    (
        "wordpress",
        {"ID": 9, "avatar_URL": "https://gravatar.example/avatar/ab"},
        "https://gravatar.example/avatar/ab",
    ),
    (
        "x",
        {"data": {"id": "x1", "username": "xia", "profile_image_url": "https://pbs.example/x_normal.jpg"}},
        "https://pbs.example/x_normal.jpg",
    ),
    ("oauth2", {"id": "o1", "avatar_url": "https://o.example/a.png"}, "https://o.example/a.png"),
    ("google", {"sub": "g2", "picture": "javascript:alert(1)"}, None),
    ("google", {"sub": "g3", "picture": "https://user:pw@lh3.example/a.jpg"}, None),
    ("google", {"sub": "g4", "picture": {"url": "https://lh3.example/a.jpg"}}, None),
]


@pytest.mark.parametrize(("preset", "document", "expected"), PICTURE_CASES)
def test_where_each_preset_finds_the_picture(
    preset: str, document: dict[str, Any], expected: str | None
) -> None:
    from rejoinder.auth.providers import PRESETS
    from rejoinder.auth.providers.oidc import OAuthProvider
    from rejoinder.config import ProviderSettings

    provider = OAuthProvider(preset, PRESETS[preset], ProviderSettings(client_id="cid"), "secret")
    assert provider.profile(document, {}).picture == expected


def test_presets_ask_for_the_picture_where_it_is_not_sent_by_default() -> None:
    from rejoinder.auth.providers import PRESETS

    assert PRESETS["facebook"].userinfo_url.endswith("fields=id,name,email,link,picture")
    assert PRESETS["x"].userinfo_url.endswith("?user.fields=profile_image_url")
