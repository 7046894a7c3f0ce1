"""The outbox across real `rejoinder serve` processes: a worker killed with SIGKILL while it was still
trying to deliver an event loses nothing (the next server delivers it), and a change made by a process that
never delivers (the `rejoinder` command) reaches a running server's cache through its dispatcher."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from rejoinder.store import engine as store_engine
from rejoinder.store import events as event_store
from tests.fixtures.admin import password_hash
from tests.fixtures.app import ARTICLE, ORIGIN, run_cli
from tests.fixtures.servers import free_port


def deliveries(db_url: str) -> dict[str, int]:
    async def go() -> dict[str, int]:
        engine = store_engine.create_engine(db_url)
        try:
            async with store_engine.read(engine) as conn:
                return await event_store.count_by_state(conn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def attempts(db_url: str) -> int:
    async def go() -> int:
        engine = store_engine.create_engine(db_url)
        try:
            async with store_engine.read(engine) as conn:
                rows = await conn.exec_driver_sql(
                    "SELECT max(attempts) FROM event_deliveries WHERE handler = 'moderator-email'"
                )
                return int(rows.scalar_one() or 0)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def mail_env(smtp_port: int) -> dict[str, str]:
    return {
        "REJOINDER_EMAIL__HOST": "127.0.0.1",
        "REJOINDER_EMAIL__PORT": str(smtp_port),
        "REJOINDER_EMAIL__SENDER": "comments@rejoinder.test",
        "REJOINDER_EMAIL__STARTTLS": "false",
        "REJOINDER_EMAIL__TIMEOUT": "2",
        "REJOINDER_ADMIN__USERNAME": "root",
        "REJOINDER_ADMIN__PASSWORD_HASH": password_hash(),
        "REJOINDER_ADMIN__EMAIL": "root@example.org",
        "REJOINDER_MODERATION__PREMODERATION": "all",
        "REJOINDER_MODERATION__MIN_SECONDS": "0",
        "REJOINDER_EVENTS__POLL_SECONDS": "0.2",
        "REJOINDER_EVENTS__GRACE_SECONDS": "0.5",
        "REJOINDER_EVENTS__RETRY_BASE_SECONDS": "0.2",
        "REJOINDER_EVENTS__RETRY_MAX_SECONDS": "1",
    }


def test_an_event_survives_kill_9_of_the_worker_delivering_it(site_db: str, server_factory: Any) -> None:
    smtp_port = free_port()  # nothing listens there yet: every attempt fails
    first = server_factory(site_db, env=mail_env(smtp_port))
    posted = httpx.post(
        first.url + "/api/comments",
        json={"url": ARTICLE, "text": "Mail me after the crash", "author": {"name": "Ann"}},
        headers={"Origin": ORIGIN},
    )
    assert posted.status_code == 201 and posted.json()["status"] == "pending"
    wait_until(lambda: attempts(site_db) >= 1, "a failed attempt to mail the moderators")
    os.killpg(first.proc.pid, signal.SIGKILL)  # the whole server, mid-retry
    first.proc.wait(timeout=10)
    assert deliveries(site_db).get("pending", 0) >= 1

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        server_factory(site_db, env=mail_env(smtp_port))
        wait_until(lambda: len(received) >= 1, "the email after the restart")
        [message] = received
        assert message["To"] == "root@example.org"
        assert "Mail me after the crash" in message.get_content()
        wait_until(lambda: "pending" not in deliveries(site_db), "every delivery to finish")
        assert deliveries(site_db).get("dead", 0) == 0
    finally:
        controller.stop()


def test_a_change_by_the_command_line_reaches_a_running_servers_cache(
    site_db: str, server_factory: Any
) -> None:
    env = {
        "REJOINDER_EVENTS__POLL_SECONDS": "0.2",
        "REJOINDER_EVENTS__GRACE_SECONDS": "0.2",
        "REJOINDER_MODERATION__MIN_SECONDS": "0",
    }
    server = server_factory(site_db, env=env)
    posted = httpx.post(
        server.url + "/api/comments",
        json={
            "url": ARTICLE,
            "text": "Soon rejected",
            "author": {"name": "Troll", "email": "troll@example.org"},
        },
        headers={"Origin": ORIGIN},
    )
    assert posted.status_code == 201 and posted.json()["status"] == "published"

    def shown() -> list[str]:
        body = httpx.get(server.url + "/api/threads", params={"url": ARTICLE}).json()
        return [c["id"] for c in body["comments"]]

    assert shown() == [posted.json()["id"]]  # now cached by the server
    run_cli(site_db, "ban", "--site", "blog", "--email", "troll@example.org", "--reject-all")
    # The command wrote the change and its events and exited without delivering them: the server's
    # dispatcher does, after the grace period, and its cached thread is rebuilt without the comment.
    wait_until(lambda: shown() == [], "the cached thread to drop the rejected comment")
    wait_until(lambda: "pending" not in deliveries(site_db), "the command's deliveries to be done")


def test_a_change_by_the_command_line_reaches_a_running_server_at_once(
    site_db: str, server_factory: Any
) -> None:
    """As a change made through the web does: the command bumps the invalidator the servers share (the
    generation file beside the database, or Redis), so the very next read is fresh. The outbox is held back
    here (10 minutes of grace), so it cannot be what delivered it."""
    env = {
        "REJOINDER_EVENTS__POLL_SECONDS": "60",
        "REJOINDER_EVENTS__GRACE_SECONDS": "600",
        "REJOINDER_MODERATION__MIN_SECONDS": "0",
    }
    server = server_factory(site_db, env=env)
    posted = httpx.post(
        server.url + "/api/comments",
        json={
            "url": ARTICLE,
            "text": "Rejected at once",
            "author": {"name": "Troll", "email": "t@example.org"},
        },
        headers={"Origin": ORIGIN},
    )
    assert posted.status_code == 201 and posted.json()["status"] == "published"

    def shown() -> list[str]:
        body = httpx.get(server.url + "/api/threads", params={"url": ARTICLE}).json()
        return [c["id"] for c in body["comments"]]

    assert shown() == [posted.json()["id"]]  # cached by the server now
    run_cli(site_db, "ban", "--site", "blog", "--email", "t@example.org", "--reject-all")
    assert shown() == []  # the next read, without waiting
    assert deliveries(site_db).get("pending", 0) >= 1  # the outbox has not delivered it yet
