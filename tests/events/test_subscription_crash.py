"""Notification emails across real `rejoinder serve` processes: a server killed with SIGKILL while it was
still trying to mail subscribers loses nothing; the next server mails every subscriber every comment."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from email import message_from_bytes, policy
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from rejoinder.store import engine as store_engine
from tests.events.test_crash import deliveries, wait_until
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.servers import free_port

LINK = re.compile(r"(http://[^\s]+)/subscriptions/confirm/([A-Za-z0-9.]+)")
READERS = ("ann@example.org", "bob@example.org", "cy@example.org")


def env_for(smtp_port: int) -> dict[str, str]:
    return {
        "REJOINDER_EMAIL__HOST": "127.0.0.1",
        "REJOINDER_EMAIL__PORT": str(smtp_port),
        "REJOINDER_EMAIL__SENDER": "comments@rejoinder.test",
        "REJOINDER_EMAIL__STARTTLS": "false",
        "REJOINDER_EMAIL__TIMEOUT": "2",
        "REJOINDER_MODERATION__MIN_SECONDS": "0",
        "REJOINDER_MODERATION__RATE_LIMITS": "false",
        "REJOINDER_SUBSCRIPTIONS__BATCH_SECONDS": "0",  # each comment's email is due at once
        "REJOINDER_EVENTS__POLL_SECONDS": "0.2",
        "REJOINDER_EVENTS__GRACE_SECONDS": "0.5",
        "REJOINDER_EVENTS__RETRY_BASE_SECONDS": "0.2",
        "REJOINDER_EVENTS__RETRY_MAX_SECONDS": "1",
        # A delivery the killed server was attempting stays leased to it this long, then the next one takes it.
        "REJOINDER_EVENTS__LEASE_SECONDS": "5",
    }


def mail_attempts(db_url: str) -> int:
    async def go() -> int:
        engine = store_engine.create_engine(db_url)
        try:
            async with store_engine.read(engine) as conn:
                rows = await conn.exec_driver_sql(
                    "SELECT count(*) FROM event_deliveries WHERE handler LIKE 'subscription-mail:%' AND attempts > 0"
                )
                return int(rows.scalar_one() or 0)
        finally:
            await engine.dispose()

    return asyncio.run(go())


class Inbox:
    def __init__(self, port: int) -> None:
        self.received: list[Any] = []
        received = self.received

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                received.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self) -> list[Any]:
        self.controller.start()
        return self.received

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def post(url: str, text: str, name: str) -> dict[str, Any]:
    answer = httpx.post(
        url + "/api/comments",
        json={"url": ARTICLE, "text": text, "author": {"name": name}},
        headers={"Origin": ORIGIN},
    )
    assert answer.status_code == 201 and answer.json()["status"] == "published", answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_notifications_survive_kill_9_of_the_server_sending_them(site_db: str, server_factory: Any) -> None:
    smtp_port = free_port()
    first = server_factory(site_db, env=env_for(smtp_port))
    post(first.url, "The article's first comment", "Host")
    with Inbox(smtp_port) as confirmations:
        for reader in READERS:
            asked = httpx.post(
                first.url + "/api/subscriptions",
                json={"url": ARTICLE, "kinds": ["thread"], "email": reader},
                headers={"Origin": ORIGIN},
            )
            assert asked.status_code == 202, asked.text
        wait_until(lambda: len(confirmations) >= len(READERS), "the confirmation emails")
        for message in confirmations:
            found = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
            assert found is not None
            done = httpx.post(f"{first.url}/subscriptions/confirm/{found.group(2)}")
            assert done.status_code == 200 and 'id="rj-done"' in done.text
    # Nothing listens on the SMTP port now: every attempt to mail the subscribers fails and is retried.
    texts = [post(first.url, f"News number {n}", "Sam")["text"] for n in range(3)]
    wait_until(lambda: mail_attempts(site_db) >= 1, "a failed attempt to mail a subscriber")
    os.killpg(first.proc.pid, signal.SIGKILL)  # the whole server, mid-retry
    first.proc.wait(timeout=10)
    assert deliveries(site_db).get("pending", 0) >= 1

    with Inbox(smtp_port) as received:
        server_factory(site_db, env=env_for(smtp_port))

        def everyone_has_everything() -> bool:
            got: dict[str, str] = {}
            for message in list(received):
                got[str(message["To"])] = (
                    got.get(str(message["To"]), "")
                    + message.get_body(preferencelist=("plain",)).get_content()
                )
            return all(all(t in got.get(r, "") for t in texts) for r in READERS)

        wait_until(everyone_has_everything, "every subscriber's emails after the restart", timeout=60)
        wait_until(lambda: "pending" not in deliveries(site_db), "every delivery to finish", timeout=60)
        assert deliveries(site_db).get("dead", 0) == 0
        assert {str(m["To"]) for m in received} == set(READERS)
        assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in received)
