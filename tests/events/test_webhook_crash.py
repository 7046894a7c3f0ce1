"""Webhooks across real `rejoinder serve` processes: the server is killed with SIGKILL while it keeps
failing to deliver an event to a receiver answering 500; the next server delivers it, signed, with the same
webhook-id, and nothing is left pending or dead."""

from __future__ import annotations

import os
import re
import signal
from typing import Any

import httpx
from click.testing import CliRunner

from rejoinder.cli import main
from tests.events.test_crash import deliveries, wait_until
from tests.fixtures.app import ARTICLE, ORIGIN
from tests.fixtures.webhooks import Receiver

ENV = {
    "REJOINDER_WEBHOOKS__ALLOW_PRIVATE": "true",
    "REJOINDER_WEBHOOKS__RETRY_BASE_SECONDS": "0.2",
    "REJOINDER_WEBHOOKS__RETRY_MAX_SECONDS": "1",
    "REJOINDER_WEBHOOKS__TIMEOUT_SECONDS": "2",
    "REJOINDER_EVENTS__POLL_SECONDS": "0.2",
    "REJOINDER_EVENTS__GRACE_SECONDS": "0.5",
    "REJOINDER_EVENTS__LEASE_SECONDS": "5",  # a delivery the killed worker held is free again soon
    "REJOINDER_MODERATION__MIN_SECONDS": "0",
}


def test_a_webhook_survives_kill_9_of_the_worker_delivering_it(
    site_db: str, server_factory: Any, receiver: Receiver
) -> None:
    added = CliRunner().invoke(
        main,
        ["webhook", "add", "blog", receiver.url],
        env={"REJOINDER_DATABASE__URL": site_db, **ENV},
        catch_exceptions=False,
    )
    assert added.exit_code == 0, added.output
    found = re.search(r"secret: (whsec_\S+)", added.output)
    assert found
    secret = found.group(1)
    receiver.plan["/hook"] = ["500"] * 1000  # down until the restart
    first = server_factory(site_db, env=ENV)
    posted = httpx.post(
        first.url + "/api/comments",
        json={"url": ARTICLE, "text": "Hook me after the crash", "author": {"name": "Ann"}},
        headers={"Origin": ORIGIN},
    )
    assert posted.status_code == 201
    wait_until(lambda: len(receiver.received) >= 2, "two failed attempts")
    os.killpg(first.proc.pid, signal.SIGKILL)  # the whole server, mid-retry
    first.proc.wait(timeout=10)
    assert deliveries(site_db).get("pending", 0) >= 1
    failed = len(receiver.received)
    receiver.plan["/hook"] = []  # the receiver is back: 200 from now on
    server_factory(site_db, env=ENV)
    wait_until(lambda: len(receiver.received) > failed, "the delivery after the restart")
    wait_until(lambda: "pending" not in deliveries(site_db), "every delivery to finish")
    assert deliveries(site_db).get("dead", 0) == 0
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(ids) == 1  # every attempt, before and after the crash, is the same event
    last = receiver.received[-1]
    body = last.verified(secret)
    assert (body["type"], body["data"]["text"]) == ("comment.created", "Hook me after the crash")
    assert len(receiver.received) == failed + 1  # delivered once after the restart
