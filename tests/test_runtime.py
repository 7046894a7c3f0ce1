"""The runtime (src/rejoinder/runtime.py): built once at start-up, refusing a misconfigured mailer or provider
with the setting's name before anything serves, closed at shutdown, and the clock injected everywhere."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient

from rejoinder.app import create_app
from rejoinder.cli import main
from rejoinder.runtime import open_context
from rejoinder.services.moderation import Moderation
from rejoinder.services.sites import list_sites
from rejoinder.store import schema
from rejoinder.store.engine import create_engine
from rejoinder.web.wire import rfc3339
from tests.fixtures.app import ARTICLE, make_settings, start_failure
from tests.fixtures.clock import ManualClock

BAD_MAIL = {
    "host": "smtp.example",
    "sender": "comments@example.org",
    "password_env": "REJOINDER_TEST_UNSET_PW",
}
BAD_MAIL_MESSAGE = (
    "invalid setting email.password_env: environment variable REJOINDER_TEST_UNSET_PW is not set"
)


def count_comments(db_url: str) -> int:
    async def go() -> int:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return int(
                    (await conn.execute(sa.select(sa.func.count()).select_from(schema.comments))).scalar_one()
                )
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_bad_mailer_setting_stops_the_app_from_starting(site_db: str) -> None:
    error = start_failure(create_app(make_settings(site_db, email=BAD_MAIL)))
    assert str(error) == BAD_MAIL_MESSAGE


def test_serve_refuses_a_bad_mailer_setting_before_any_worker_starts(site_db: str) -> None:
    env = {
        "REJOINDER_DATABASE__URL": site_db,
        "REJOINDER_EMAIL__HOST": BAD_MAIL["host"],
        "REJOINDER_EMAIL__SENDER": BAD_MAIL["sender"],
        "REJOINDER_EMAIL__PASSWORD_ENV": BAD_MAIL["password_env"],
    }
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: {BAD_MAIL_MESSAGE}\n"


def test_the_injected_clock_is_what_the_app_writes(site_db: str) -> None:
    clock = ManualClock(start_us=1_700_000_000 * 1_000_000)
    app = create_app(make_settings(site_db, database={"auto_migrate": False}), clock=clock)
    with TestClient(app=app, base_url="http://rejoinder.test") as client:  # type: ignore[arg-type]
        body: dict[str, Any] = {"url": ARTICLE, "text": "Hello", "author": {"name": "Ann"}}
        first = client.post("/api/comments", json=body, headers={"Origin": "https://blog.example"})
        clock.advance(3600)
        second = client.post(
            "/api/comments",
            json={**body, "text": "An hour later"},
            headers={"Origin": "https://blog.example"},
        )
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    assert first.json()["created"] == rfc3339(1_700_000_000 * 1_000_000) == "2023-11-14T22:13:20.000000Z"
    assert second.json()["created"] == rfc3339(1_700_003_600 * 1_000_000)
    assert count_comments(site_db) == 2


def test_open_context_builds_everything_once_and_closes_it(site_db: str) -> None:
    settings = make_settings(site_db, database={"auto_migrate": False})

    async def go() -> None:
        async with open_context(settings) as runtime:
            ctx = runtime.ctx
            assert isinstance(ctx.moderation, Moderation)  # built here, never lazily by a use case
            assert runtime.moderation is ctx.moderation
            assert ctx.mailer is None and runtime.providers is None  # no [email] host; no serving
            assert [s.name for s in await list_sites(ctx.engine)] == ["blog"]
            assert ctx.sites.cached_by_origin("https://blog.example") is not None  # loaded at start-up
        assert runtime.started is False

    asyncio.run(go())
