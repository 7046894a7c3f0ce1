"""The "Email me replies to my comment" box in Chromium, against a real server and a real SMTP server on
loopback: tick it, post, confirm the address through the emailed link's page, and a reply arrives by email
once the minute's batch closes (the server's clock moved, not waited for)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest

from tests.e2e.conftest import Stack, open_widget
from tests.fixtures.servers import free_port

pytestmark = pytest.mark.e2e

SMTP_PORT = free_port()
SERVER_ENV = {
    "REJOINDER_EMAIL__HOST": "127.0.0.1",
    "REJOINDER_EMAIL__PORT": str(SMTP_PORT),
    "REJOINDER_EMAIL__SENDER": "comments@rejoinder.test",
    "REJOINDER_EMAIL__STARTTLS": "false",
}
SERVER_CLOCK = True
LINK = re.compile(r"(http://[^\s]+/subscriptions/confirm/[A-Za-z0-9.]+)")


@pytest.fixture(scope="module")
def inbox() -> Iterator[list[Any]]:
    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()


def wait_for(received: list[Any], count: int, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) >= count, f"{len(received)} of {count} emails arrived"
    return received[count - 1]


def test_email_me_replies(inbox: list[Any], stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/subscribe.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = page.locator(".rj-leave form")
    replies = form.get_by_label("Email me replies to my comment")
    assert (
        not replies.is_checked() and form.get_by_label("Email me new comments on this article").count() == 1
    )
    form.get_by_label("Comment", exact=True).fill("Will anyone answer?")
    form.get_by_label("Name", exact=True).fill("Rita")
    form.get_by_label("Email (optional)").fill("rita@example.org")
    replies.check()
    form.get_by_role("button", name="Post comment").click()
    page.locator(".rj-comment", has_text="Will anyone answer?").wait_for()
    status = page.locator('[role="status"]', has_text="Check your inbox: confirm with the link we sent you.")
    status.wait_for(state="attached")

    confirmation = wait_for(inbox, 1)
    assert confirmation["To"] == "rita@example.org"
    found = LINK.search(confirmation.get_body(preferencelist=("plain",)).get_content())
    assert found is not None
    confirm = browser_page()
    confirm.page.goto(found.group(1))
    confirm.page.get_by_role("button", name="Confirm").click()
    confirm.page.locator("#rj-done").wait_for()

    mine = stack.thread(url)["comments"][0]
    stack.post(url, "Yes: here is an answer", name="Sam", parent=mine["id"])
    # The server's dispatcher fans the reply out on its own, and the batch closes a minute later on the
    # server's clock: move it on until the email is there (a move before the fan-out only delays the batch).
    assert stack.clock is not None
    deadline = time.monotonic() + 30
    while len(inbox) < 2 and time.monotonic() < deadline:
        stack.clock.advance(61)
        moved = time.monotonic() + 1.5
        while len(inbox) < 2 and time.monotonic() < moved:
            time.sleep(0.05)
    message = wait_for(inbox, 2)
    assert message["To"] == "rita@example.org"
    assert "Yes: here is an answer" in message.get_body(preferencelist=("plain",)).get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    w.assert_clean()
