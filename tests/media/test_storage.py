"""The image storages behind one contract: a local directory, and S3 against moto's S3 server on loopback
(a real S3 protocol endpoint, boto3 talking HTTP to it); then the whole path over HTTP with S3 storage:
upload, attach, serve, delete, and the object gone from the bucket."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rejoinder.config.schema import ImageSettings, ImageStorage
from rejoinder.media import ImageStore, LocalImageStore, S3ImageStore, build
from tests.fixtures.admin import open_admin
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.servers import free_port

NAME = "0123456789abcdef0123456789abcdef-abcd1234.png"
OTHER = "fedcba9876543210fedcba9876543210-zz99yy88.jpg"
KEYS = {"s3_access_key": "testing", "s3_secret_key": "testing", "s3_region": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server on a free loopback port, stopped after the module."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def make_bucket(endpoint: str, name: str) -> Any:
    import boto3

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    return client


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ImageStore:
    if request.param == "local":
        return LocalImageStore(tmp_path / "images")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"contract-{time.monotonic_ns()}"
    make_bucket(endpoint, bucket)
    settings = ImageSettings(storage=ImageStorage.S3, s3_endpoint=endpoint, s3_bucket=bucket, **KEYS)
    found = build(settings)
    assert isinstance(found, S3ImageStore)
    return found


def test_put_get_delete(storage: ImageStore) -> None:
    async def go() -> None:
        assert await storage.get(NAME) is None
        await storage.put(NAME, b"\x89PNG one", "image/png")
        await storage.put(OTHER, b"\xff\xd8\xff two", "image/jpeg")
        assert await storage.get(NAME) == b"\x89PNG one"
        await storage.delete(NAME)
        assert await storage.get(NAME) is None
        await storage.delete(NAME)  # already gone: no error
        assert await storage.get(OTHER) == b"\xff\xd8\xff two"

    asyncio.run(go())


@pytest.mark.parametrize(
    "name", ["../etc/passwd", "a/b.png", "x.svg", "0123456789abcdef0123456789abcdef-abcd1234.png/"]
)
def test_a_name_is_never_a_path(storage: ImageStore, name: str) -> None:
    with pytest.raises(ValueError, match="not an image name"):
        asyncio.run(storage.put(name, b"x", "image/png"))


def test_images_over_http_with_s3_storage(db_url: str, s3_endpoint: str) -> None:
    import io

    from PIL import Image

    bucket = f"http-{time.monotonic_ns()}"
    s3 = make_bucket(s3_endpoint, bucket)
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN, "--images")
    settings = {"storage": "s3", "s3_endpoint": s3_endpoint, "s3_bucket": bucket, "s3_prefix": "img/", **KEYS}
    app = open_admin(db_url, images=settings)
    picture = io.BytesIO()
    Image.new("RGB", (24, 12), (10, 20, 30)).save(picture, "WEBP")
    with app.client:
        r = app.client.post(
            "/api/images",
            params={"url": ARTICLE},
            content=picture.getvalue(),
            headers={"Content-Type": "image/webp", "Origin": ORIGIN},
        )
        assert r.status_code == 201, r.text
        made = r.json()
        name = made["url"].rsplit("/", 1)[1]
        listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
        assert [o["Key"] for o in listed] == [f"img/{name}"]
        head = s3.head_object(Bucket=bucket, Key=f"img/{name}")
        assert head["ContentType"] == "image/webp"
        comment = app.post_comment("From S3", images=[{"id": made["id"], "alt": "dark"}])
        served = app.client.get(made["url"])
        assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(served.content)).size == (24, 12)
        r = app.client.delete(
            f"/api/comments/{comment['id']}",
            headers={"Rejoinder-Edit-Token": comment["edit_token"], "Origin": ORIGIN},
        )
        assert r.status_code == 204
        assert app.client.get(made["url"]).status_code == 404
        deadline = time.monotonic() + 15
        while s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0):
            assert time.monotonic() < deadline, "the object was not deleted from the bucket"
            time.sleep(0.05)
