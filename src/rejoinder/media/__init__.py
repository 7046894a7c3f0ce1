"""Where the bytes of images attached to comments are kept, behind one Protocol (base.ImageStore): a local
directory (local.py) or an S3-compatible bucket (s3.py). `build` picks one from [images]. What is stored,
and who may see it, is decided above (services/images.py); this layer only puts, gets and deletes bytes."""

from __future__ import annotations

from rejoinder.config.schema import ImageSettings, ImageStorage
from rejoinder.media.base import ImageStore
from rejoinder.media.local import LocalImageStore
from rejoinder.media.s3 import S3ImageStore


def build(settings: ImageSettings) -> ImageStore:
    """The storage [images] storage names (nothing is created or contacted until the first image)."""
    if settings.storage is ImageStorage.S3:
        return S3ImageStore(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint=settings.s3_endpoint or None,
            region=settings.s3_region,
            access_key=settings.s3_access_key or None,
            secret_key=settings.s3_secret_key or None,
        )
    return LocalImageStore(settings.directory)


__all__ = ["ImageStore", "LocalImageStore", "S3ImageStore", "build"]
