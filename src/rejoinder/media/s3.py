"""Images in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph…) through boto3. boto3 is synchronous:
each call runs in a worker thread; one client is made on first use and shared (boto3 clients are
thread-safe). Tested against moto's S3 server on loopback (tests/media/test_s3.py)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from rejoinder.media.base import check_name


class S3ImageStore:
    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self._keys = (access_key, secret_key)
        self._client: Any = None
        self._lock = threading.Lock()

    def _s3(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3  # imported on first use: a server without S3 images never loads it
                from botocore.config import Config

                access, secret = self._keys
                self._client = boto3.session.Session().client(
                    "s3",
                    endpoint_url=self.endpoint,
                    region_name=self.region,
                    aws_access_key_id=access,
                    aws_secret_access_key=secret,
                    config=Config(
                        connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"}
                    ),
                )
            return self._client

    def _key(self, name: str) -> str:
        return self.prefix + check_name(name)

    def _put(self, name: str, data: bytes, media_type: str) -> None:
        self._s3().put_object(
            Bucket=self.bucket,
            Key=self._key(name),
            Body=data,
            ContentType=media_type,
            CacheControl="public, max-age=31536000, immutable",
        )

    def _get(self, name: str) -> bytes | None:
        client = self._s3()
        try:
            found = client.get_object(Bucket=self.bucket, Key=self._key(name))
        except client.exceptions.NoSuchKey:
            return None
        body: bytes = found["Body"].read()
        return body

    def _delete(self, name: str) -> None:
        self._s3().delete_object(Bucket=self.bucket, Key=self._key(name))  # no error when missing

    async def put(self, name: str, data: bytes, media_type: str) -> None:
        await asyncio.to_thread(self._put, name, data, media_type)

    async def get(self, name: str) -> bytes | None:
        return await asyncio.to_thread(self._get, name)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._delete, name)
