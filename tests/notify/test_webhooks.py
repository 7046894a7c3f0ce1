"""notify/webhooks.py against the loopback receiver: the signed headers verify with the Standard Webhooks
library (one signature per secret, space-separated), and every kind of failure is an answer, not an
exception: a non-2xx status, a redirect (not followed), a closed port, an address the guard refuses."""

from __future__ import annotations

import asyncio
import time

from standardwebhooks import Webhook

from rejoinder.notify.webhooks import Sent, WebhookSender, signed_headers
from tests.fixtures.webhooks import Receiver

OLD = "whsec_" + "b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ="
NEW = "whsec_" + "bmV3LXNlY3JldC1uZXctc2VjcmV0LW5ldy1zZWNyZXQ="


def test_the_signed_headers_verify_with_each_secret() -> None:
    now = int(time.time())
    body = b'{"type":"comment.created"}'
    headers = signed_headers("ev1", now, body, (NEW, OLD))
    assert headers["webhook-id"] == "ev1" and headers["webhook-timestamp"] == str(now)
    assert [part[:3] for part in headers["webhook-signature"].split(" ")] == ["v1,", "v1,"]
    assert Webhook(NEW).verify(body, headers) == {"type": "comment.created"}
    assert Webhook(OLD).verify(body, headers) == {"type": "comment.created"}


def send(receiver_url: str, *, allow_private: bool = True) -> Sent:
    sender = WebhookSender(timeout=2, allow_private=allow_private)
    return asyncio.run(
        sender.send(receiver_url, msg_id="ev1", timestamp=int(time.time()), body=b"{}", secrets=(NEW,))
    )


def test_answers_and_failures_are_reported_not_raised(receiver: Receiver) -> None:
    receiver.plan["/hook"] = ["204", "503", "301 https://169.254.169.254/"]
    ok, busy, moved = send(receiver.url), send(receiver.url), send(receiver.url)
    assert (ok.status_code, ok.error) == (204, None)
    assert (busy.status_code, busy.error) == (503, "answered 503")
    assert (moved.status_code, moved.error) == (
        301,
        "answered 301: redirects are not followed (give the final URL)",
    )
    assert len(receiver.received) == 3  # the redirect's target was never asked
    refused = send(receiver.url, allow_private=False)
    assert (refused.status_code, refused.error) == (
        None,
        "server-not-public: rejoinder only contacts servers on the public internet, over https",
    )
    assert len(receiver.received) == 3
    closed = send(f"http://127.0.0.1:{receiver.port}/hook".replace(str(receiver.port), "1"))
    assert closed.status_code is None and closed.error is not None and closed.error.startswith("ConnectError")
