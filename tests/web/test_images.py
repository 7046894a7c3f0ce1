"""Images in comments over HTTP, on SQLite and PostgreSQL, with real files made by Pillow here: an upload is
re-encoded (metadata gone, orientation applied, animation kept), attached to a comment, served with its
headers only while the comment is public, deleted with it; hostile files are refused with a precise 4xx and
nothing stored."""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from rejoinder.store import engine as store_engine
from rejoinder.store.schema import comment_images
from tests.fixtures.admin import Admin, open_admin
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli

API = {"Origin": ORIGIN}


def jpeg(size: tuple[int, int] = (40, 20), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", **save)
    return out.getvalue()


def png(size: tuple[int, int] = (30, 30), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 0, 200)).save(out, "PNG", **save)
    return out.getvalue()


def gif_animation(frames: int = 3) -> bytes:
    out = io.BytesIO()
    images = [
        Image.new("RGB", (16, 16), (i * 80 % 256, i % 256, (200 - i * 50) % 256)) for i in range(frames)
    ]
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0, comment=b"secret note"
    )
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares width × height with almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def images_db(db_url: str) -> str:
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN, "--images", "--max-images", "2")
    run_cli(db_url, "site", "add", "plain", "--origin", "https://plain.example")
    return db_url


@pytest.fixture
def app(images_db: str, tmp_path: Path) -> Iterator[Admin]:
    found = open_admin(images_db, images={"directory": str(tmp_path / "images"), "max_upload_bytes": 200_000})
    found.client.rejoinder = found.app  # type: ignore[attr-defined]  # for advance_clock
    with found.client:
        yield found


def upload(app: Admin, data: bytes, media: str, url: str = ARTICLE, origin: str = ORIGIN) -> Any:
    return app.client.post(
        "/api/images", params={"url": url}, content=data, headers={"Content-Type": media, "Origin": origin}
    )


def stored(app: Admin) -> tuple[list[Any], list[str]]:
    """The image rows and the files in the storage directory."""

    async def go() -> list[Any]:
        async with store_engine.read(app.ctx.engine) as conn:
            return list(await conn.execute(sa.select(comment_images).order_by(comment_images.c.created)))

    directory = Path(app.ctx.settings.images.directory)
    files = sorted(p.name for p in directory.iterdir()) if directory.exists() else []
    return app.run(go), [f for f in files if not f.startswith(".")]


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def thread(app: Admin) -> list[dict[str, Any]]:
    response = app.client.get("/api/threads", params={"url": ARTICLE})
    assert response.status_code == 200, response.text
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


def wait_until(condition: Any, timeout: float = 15.0) -> None:
    """Poll a condition with a deadline (the outbox deletes the bytes after the commit)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_an_attached_image_is_reencoded_served_with_its_headers_and_shown_in_the_thread(app: Admin) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x8825] = {2: (48.0, 51.0, 24.0), 1: "N"}  # GPS latitude
    exif[0x010E] = "camera description"
    original = jpeg((40, 20), exif=exif.tobytes())
    r = upload(app, original, "image/jpeg")
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["type"] == "image/jpeg" and (made["width"], made["height"]) == (20, 40)  # rotated
    rows, files = stored(app)
    assert [row.state for row in rows] == ["uploaded"] and files == [rows[0].name]
    # Not public before its comment is.
    assert app.client.get(made["url"]).status_code == 404
    comment = app.post_comment("With a picture", images=[{"id": made["id"], "alt": "A red square"}])
    assert comment["images"] == [{"url": made["url"], "width": 20, "height": 40, "alt": "A red square"}]
    assert thread(app)[0]["images"] == comment["images"]
    served = app.client.get(made["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["content-security-policy"].startswith("sandbox")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content != original
    again = Image.open(io.BytesIO(served.content))
    assert again.size == (20, 40) and not again.getexif() and "icc_profile" not in again.info
    assert b"camera description" not in served.content and b"Exif" not in served.content
    rows, _ = stored(app)
    assert [(row.state, row.comment_id, row.alt) for row in rows] == [
        ("attached", comment["id"], "A red square")
    ]
    # An id attaches once.
    again_r = app.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Again", "author": {"name": "Bo"}, "images": [{"id": made["id"]}]},
        headers=API,
    )
    problem(again_r, 422, "image-unknown")


def test_metadata_goes_and_animation_stays(app: Admin) -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "GPS 48.8584 N")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>where I live</x:xmpmeta>")
    r = upload(app, png(pnginfo=info, icc_profile=profile), "image/png")
    assert r.status_code == 201, r.text
    sent = gif_animation(3)
    assert Image.open(io.BytesIO(sent)).n_frames == 3 and b"secret note" in sent
    r2 = upload(app, sent, "image/gif")
    assert r2.status_code == 201, r2.text
    comment = app.post_comment("Two", images=[{"id": r.json()["id"]}, {"id": r2.json()["id"]}])
    still = app.client.get(comment["images"][0]["url"])
    assert still.status_code == 200 and still.headers["content-type"] == "image/png"
    assert b"GPS" not in still.content and b"xmpmeta" not in still.content and b"iCCP" not in still.content
    moving = app.client.get(comment["images"][1]["url"])
    assert moving.headers["content-type"] == "image/gif"
    animation = Image.open(io.BytesIO(moving.content))
    assert animation.n_frames == 3 and b"secret note" not in moving.content


def test_too_many_images_and_a_site_without_images(app: Admin) -> None:
    ids = [upload(app, png(), "image/png").json()["id"] for _ in range(3)]
    r = app.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Three", "author": {"name": "Ann"}, "images": [{"id": i} for i in ids]},
        headers=API,
    )
    problem(r, 422, "too-many-images")
    rows, _ = stored(app)
    assert all(row.state == "uploaded" for row in rows) and len(rows) == 3
    assert app.client.get("/api/threads", params={"url": ARTICLE}).json()["comments"] == []
    off = upload(app, png(), "image/png", url="https://plain.example/post", origin="https://plain.example")
    problem(off, 403, "images-disabled")
    assert len(stored(app)[0]) == 3


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("bomb", 422, "image-too-many-pixels"),
        ("huge-bomb", 422, "image-too-many-pixels"),
        ("wide", 422, "image-too-many-pixels"),
        ("svg", 415, "image-type-unsupported"),
        ("svg-as-png", 415, "image-type-unsupported"),
        ("html", 415, "image-type-unsupported"),
        ("mismatch", 415, "image-type-mismatch"),
        ("text-plain", 415, "unsupported-media-type"),
        ("corrupt-header", 422, "image-unreadable"),
        ("truncated", 422, "image-unreadable"),
        ("too-large", 413, "image-too-large"),
        ("frames", 422, "image-too-many-frames"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(
    app: Admin, name: str, status: int, code: str
) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    good_png = png()
    broken = bytearray(good_png)
    broken[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    noise = Image.frombytes("RGB", (300, 300), bytes(range(256)) * 1055)
    big = io.BytesIO()
    noise.save(big, "PNG", compress_level=0)
    cases: dict[str, tuple[bytes, str]] = {
        "bomb": (png_header_only(4096, 4096), "image/png"),  # 16.7 M pixels > the site's 16 M
        "huge-bomb": (png_header_only(100_000, 100_000), "image/png"),  # over Pillow's own bomb limit
        "wide": (png(size=(5000, 2)), "image/png"),  # over max_side
        "svg": (svg, "image/svg+xml"),
        "svg-as-png": (svg, "image/png"),
        "html": (b"<!doctype html><html><script>alert(1)</script></html>", "image/jpeg"),
        "mismatch": (good_png, "image/jpeg"),
        "text-plain": (good_png, "text/plain"),
        "corrupt-header": (bytes(broken), "image/png"),
        "truncated": (jpeg((200, 200), quality=95)[:300], "image/jpeg"),
        "too-large": (big.getvalue(), "image/png"),
        "frames": (gif_animation(101), "image/gif"),  # the site allows 100
    }
    data, media = cases[name]
    problem(upload(app, data, media), status, code)
    assert stored(app) == ([], [])


def test_a_polyglot_html_jpeg_is_served_as_new_bytes_without_html(app: Admin) -> None:
    payload = b"<html><body><script>alert(document.cookie)</script></body></html>"
    plain = jpeg((32, 32), quality=90)
    # The HTML in a JPEG comment segment right after SOI, and again after the end of the image.
    polyglot = plain[:2] + b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload + plain[2:] + payload
    assert Image.open(io.BytesIO(polyglot)).size == (32, 32)  # a valid JPEG
    r = upload(app, polyglot, "image/jpeg")
    assert r.status_code == 201, r.text
    comment = app.post_comment("Look", images=[{"id": r.json()["id"]}])
    served = app.client.get(comment["images"][0]["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content != polyglot
    assert b"<script" not in served.content and b"<html" not in served.content
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]


def test_images_follow_moderation_and_deletion(images_db: str, tmp_path: Path) -> None:
    directory = tmp_path / "images"
    app = open_admin(images_db, images={"directory": str(directory)}, moderation={"premoderation": "all"})
    with app.client:
        app.login()
        held_id = upload(app, png(), "image/png").json()["id"]
        held = app.post_comment("Held", images=[{"id": held_id}])
        assert held["status"] == "pending"
        url = held["images"][0]["url"]
        problem(app.client.get(url), 404, "image-not-found")  # held: not public
        r = app.submit(f"/admin/comments/{held['id']}", {"action": "approve"})
        assert r.status_code == 303
        assert app.client.get(url).status_code == 200
        r = app.submit(f"/admin/comments/{held['id']}", {"action": "reject", "reason": "off-topic"})
        assert r.status_code == 303
        problem(app.client.get(url), 404, "image-not-found")  # rejected: gone for everyone
        rows, files = stored(app)
        assert len(rows) == 1 and len(files) == 1  # kept while a moderator may change their mind
        # The author deletes a comment: its image is no longer served, and its bytes and row go.
        second_id = upload(app, jpeg(), "image/jpeg").json()["id"]
        second = app.post_comment("Mine", images=[{"id": second_id}])
        app.submit(f"/admin/comments/{second['id']}", {"action": "approve"})
        second_url = second["images"][0]["url"]
        assert app.client.get(second_url).status_code == 200
        r = app.client.delete(
            f"/api/comments/{second['id']}", headers={"Rejoinder-Edit-Token": second["edit_token"], **API}
        )
        assert r.status_code == 204
        problem(app.client.get(second_url), 404, "image-not-found")
        first = url.rsplit("/", 1)[1]
        wait_until(lambda: [row.name for row in stored(app)[0]] == [first])
        assert stored(app)[1] == [first]


@pytest.mark.parametrize("mode", ["remove", "anonymise"])
def test_a_readers_download_lists_their_images_and_erasure_deletes_them(
    images_db: str, tmp_path: Path, mode: str
) -> None:
    from litestar.testing import TestClient

    from rejoinder.app import create_app
    from tests.auth.helpers import bearer, sign_in
    from tests.fixtures.app import make_settings

    settings = make_settings(images_db, images={"directory": str(tmp_path / "images")})
    app = create_app(settings)
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        client.rejoinder = app  # type: ignore[attr-defined]
        holder = Admin(client=client, app=app)
        me = sign_in(client, "ivy-sub", name="Ivy", email="ivy@example.org", verified=True)
        assert me.token is not None
        auth = {**API, **bearer(me.token)}
        up = client.post(
            "/api/images",
            params={"url": ARTICLE},
            content=png(),
            headers={**auth, "Content-Type": "image/png"},
        )
        assert up.status_code == 201, up.text
        made = client.post(
            "/api/comments",
            json={"url": ARTICLE, "text": "A leaf", "images": [{"id": up.json()["id"], "alt": "Green leaf"}]},
            headers=auth,
        )
        assert made.status_code == 201, made.text
        url = made.json()["images"][0]["url"]
        name = url.rsplit("/", 1)[1]
        data = client.get("/api/me/data", headers=auth)
        assert data.status_code == 200, data.text
        [comment] = data.json()["comments"]
        [image] = comment["images"]
        assert {k: image[k] for k in ("name", "url", "media_type", "width", "height", "frames", "alt")} == {
            "name": name,
            "url": url,
            "media_type": "image/png",
            "width": 30,
            "height": 30,
            "frames": 1,
            "alt": "Green leaf",
        }
        assert image["size"] > 0 and image["created"].endswith("Z")
        assert client.get(url).status_code == 200
        erased = client.delete("/api/me", params={"comments": mode}, headers=auth)
        assert erased.status_code == 200, erased.text
        problem(client.get(url), 404, "image-not-found")
        wait_until(lambda: stored(holder) == ([], []))
        if mode == "anonymise":  # the text stays, the image does not
            [shown] = thread(holder)
            assert shown["text"] == "A leaf" and "images" not in shown


def test_an_upload_never_attached_is_deleted_after_its_time(app: Admin) -> None:
    from rejoinder.services.images import sweep
    from tests.fixtures.app import advance_clock

    kept_id = upload(app, png(), "image/png").json()["id"]
    kept = app.post_comment("Kept", images=[{"id": kept_id}])
    left = upload(app, jpeg(), "image/jpeg").json()
    assert len(stored(app)[1]) == 2
    assert app.run(lambda: sweep(app.ctx, stale=True)) == 0  # not yet: the hour has not passed
    advance_clock(app.client, app.ctx.settings.images.upload_ttl_seconds + 1)
    assert app.run(lambda: sweep(app.ctx, stale=True)) == 1
    rows, files = stored(app)
    assert [row.comment_id for row in rows] == [kept["id"]] and files == [rows[0].name]
    late = app.client.post(
        "/api/comments",
        json={"url": ARTICLE, "text": "Too late", "author": {"name": "Bo"}, "images": [{"id": left["id"]}]},
        headers=API,
    )
    problem(late, 422, "image-unknown")


def test_the_page_without_javascript_shows_the_images(app: Admin) -> None:
    made = upload(app, png(), "image/png").json()
    app.post_comment("Seen without scripts", images=[{"id": made["id"], "alt": "A green square"}])
    page = app.client.get("/thread", params={"url": ARTICLE})
    assert page.status_code == 200, page.text
    path = made["url"]
    assert f'<img src="{path}" width="30" height="30" alt="A green square" loading="lazy">' in page.text
