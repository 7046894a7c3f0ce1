"""The ImageStore Protocol: put, get and delete an image's bytes by its name (a content-hashed, immutable
file name such as `3f9a…-k2x8.webp`; services/images.py makes it). Implementations: local.py, s3.py."""

from __future__ import annotations

import re
from typing import Protocol

# The names services/images.py makes: hex digest, '-', a random part, '.', the format's extension.
NAME = re.compile(r"^[0-9a-f]{32}-[0-9a-z]{8}\.(jpg|png|gif|webp)$")


class ImageStore(Protocol):
    """Where images' bytes live.

    await store.put("3f9a…-k2x8.webp", data, "image/webp")
    data = await store.get("3f9a…-k2x8.webp")  # None when there is no such object
    await store.delete("3f9a…-k2x8.webp")  # no error when it is already gone
    """

    name: str  # "local" or "s3", for logs and `rejoinder config show`

    async def put(self, name: str, data: bytes, media_type: str) -> None: ...

    async def get(self, name: str) -> bytes | None: ...

    async def delete(self, name: str) -> None: ...


def check_name(name: str) -> str:
    """A name this layer accepts (never a path: no separators, no dots but the extension's)."""
    if not NAME.match(name):
        raise ValueError(f"not an image name: {name!r}")
    return name
