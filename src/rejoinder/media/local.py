"""Images in a local directory: one file per image, written to a temporary name and renamed into place (a
reader never sees half a file). Blocking file work runs in a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from rejoinder.media.base import check_name


class LocalImageStore:
    name = "local"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _path(self, name: str) -> Path:
        return self.directory / check_name(name)

    def _put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def _delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    async def put(self, name: str, data: bytes, media_type: str) -> None:
        await asyncio.to_thread(self._put, name, data)

    async def get(self, name: str) -> bytes | None:
        return await asyncio.to_thread(self._get, name)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._delete, name)
