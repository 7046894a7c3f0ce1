"""Sign-in tests use their own `client`: the same in-process app as tests/fixtures/app.py, with the
Rejoinder instance reachable (for its Context) and optional extra settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.runtime import Clock
from rejoinder.services.context import now_us
from tests.fixtures.app import make_settings


def auth_client(db_url: str, clock: Clock = now_us, **sections: dict[str, Any]) -> TestClient[Any]:
    app = create_app(make_settings(db_url, **sections), clock=clock)
    client: TestClient[Any] = TestClient(app=app, base_url="http://rejoinder.test")  # type: ignore[arg-type]
    client.rejoinder = app  # type: ignore[attr-defined]
    return client


@pytest.fixture
def client(site_db: str) -> Iterator[TestClient[Any]]:
    with auth_client(site_db) as c:
        yield c
