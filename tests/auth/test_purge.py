"""Expired sessions and sign-in tickets are deleted: by `rejoinder purge`, and by the server every
auth.purge_interval seconds. A deleted session's token then answers 401 session-invalid (the row is gone)
instead of session-expired; live sessions are untouched."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient

from rejoinder.services.context import Context
from rejoinder.services.purging import Purged, purge_expired
from tests.auth.conftest import auth_client
from tests.auth.helpers import app_ctx, bearer, sign_in
from tests.fixtures.app import ORIGIN, run_cli
from tests.fixtures.clock import US, ManualClock

DAY = 86400 * 1_000_000


@contextmanager
def clock_at(ctx: Context, shift: int) -> Iterator[None]:
    """Run the app `shift` microseconds away from now (negative: in the past)."""
    real: Callable[[], int] = ctx.clock
    ctx.clock = lambda: real() + shift
    try:
        yield
    finally:
        ctx.clock = real


def me(client: TestClient[Any], token: str | None) -> tuple[int, str | None]:
    response = client.get("/api/me", headers=bearer(token))
    return response.status_code, response.json().get("code") if response.status_code != 200 else None


def expired_session(client: TestClient[Any], subject: str) -> str:
    """A session that was signed in longer ago than auth.session_days."""
    ctx = app_ctx(client)
    with clock_at(ctx, -(ctx.settings.auth.session_days + 1) * DAY):
        token = sign_in(client, subject).token
    assert token is not None
    return token


def test_rejoinder_purge_deletes_expired_sessions_and_tickets(client: TestClient[Any], site_db: str) -> None:
    ctx = app_ctx(client)
    live = sign_in(client, "alice").token
    with clock_at(ctx, -(ctx.settings.auth.session_days + 1) * DAY):
        old = sign_in(client, "bob").token
        # A link ticket (10 minutes) asked for back then: an expired one-time ticket.
        ticket = client.post("/api/me/link-ticket", headers={**bearer(old), "Origin": ORIGIN})
        assert ticket.status_code == 201, ticket.text
    assert me(client, live) == (200, None)
    assert me(client, old) == (401, "session-expired")

    out = run_cli(site_db, "purge")
    assert out.splitlines()[0] == "deleted 1 expired session(s) and 1 expired sign-in ticket(s)"
    assert me(client, old) == (401, "session-invalid")  # the row is gone
    assert me(client, live) == (200, None)
    assert (
        run_cli(site_db, "purge").splitlines()[0]
        == "deleted 0 expired session(s) and 0 expired sign-in ticket(s)"
    )


def test_logged_out_sessions_go_once_they_expire(client: TestClient[Any], site_db: str) -> None:
    """A revoked session keeps answering session-revoked until its expiry, then is purged like any other."""
    token = sign_in(client, "carol").token
    assert client.post("/api/logout", headers=bearer(token)).status_code == 204
    assert run_cli(site_db, "purge").startswith("deleted 0 expired session(s)")
    assert me(client, token) == (401, "session-revoked")
    ctx = app_ctx(client)
    later = (ctx.settings.auth.session_days + 1) * DAY

    async def purge_later() -> Purged:
        return await purge_expired(ctx.engine, ctx.clock() + later)

    with client.portal() as portal:
        assert portal.call(purge_later) == Purged(sessions=1, tickets=0)
    assert me(client, token) == (401, "session-invalid")


def test_large_purges_go_in_batches(client: TestClient[Any]) -> None:
    ctx = app_ctx(client)
    tokens = [expired_session(client, f"reader-{i}") for i in range(5)]
    live = sign_in(client, "dave").token

    async def purge() -> Purged:
        return await purge_expired(ctx.engine, ctx.clock(), batch=2)

    with client.portal() as portal:
        assert portal.call(purge) == Purged(sessions=5, tickets=0)
    assert {me(client, t) for t in tokens} == {(401, "session-invalid")}
    assert me(client, live) == (200, None)


def test_the_server_purges_on_its_own(site_db: str) -> None:
    with auth_client(site_db, auth={"purge_interval": 1}) as client:
        old = expired_session(client, "erin")
        live = sign_in(client, "frank").token
        assert client.rejoinder.runtime.purger.running  # type: ignore[attr-defined]
        deadline = time.monotonic() + 15
        while me(client, old) == (401, "session-expired") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert me(client, old) == (401, "session-invalid")
        assert me(client, live) == (200, None)


def test_purging_can_be_left_to_the_command(site_db: str) -> None:
    """With `auth.purge_interval = 0` the server starts no purging loop: a session that expired while it
    ran (its clock moved past `auth.session_days`) stays until `rejoinder purge`."""
    days = 30
    clock = ManualClock(ManualClock().now_us - (days + 1) * DAY)
    with auth_client(site_db, clock, auth={"purge_interval": 0, "session_days": days}) as client:
        assert not client.rejoinder.runtime.purger.running  # type: ignore[attr-defined]
        old = sign_in(client, "gina").token
        assert me(client, old) == (200, None)
        clock.advance((days + 1) * DAY / US)
        assert me(client, old) == (401, "session-expired")
        assert not client.rejoinder.runtime.purger.running  # type: ignore[attr-defined]
    assert run_cli(site_db, "purge").startswith("deleted 1 expired session(s)")
