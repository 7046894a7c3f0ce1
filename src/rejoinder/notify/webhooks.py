"""Signed webhook requests: one POST of a JSON body signed as the Standard Webhooks specification says
(https://www.standardwebhooks.com: `webhook-id`, `webhook-timestamp`, `webhook-signature`), sent through the
SSRF guard (outbound.py) with a short timeout and without following redirects. Whether it counts as
delivered, and what happens next, is services/webhooks.py's business.

    sender = WebhookSender(timeout=10, allow_private=False)
    sent = await sender.send(url, msg_id=event.uid, timestamp=now_s, body=body, secrets=(secret,))
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx2
import msgspec
from standardwebhooks import Webhook

from rejoinder import __version__
from rejoinder.errors import RejoinderError
from rejoinder.outbound import PublicOnlyTransport


class Sent(msgspec.Struct, frozen=True):
    """What one attempt came to: `error` is None only for a 2xx answer."""

    status_code: int | None
    duration_ms: int
    error: str | None


def signature_header(msg_id: str, timestamp: int, body: bytes, secrets: tuple[str, ...]) -> str:
    """`v1,<base64 HMAC-SHA256>` per secret, space-separated (the specification's form for several keys,
    which a rotation's overlap window uses)."""
    when = datetime.fromtimestamp(timestamp, UTC)
    return " ".join(Webhook(secret).sign(msg_id, when, body) for secret in secrets)


def signed_headers(msg_id: str, timestamp: int, body: bytes, secrets: tuple[str, ...]) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": f"rejoinder/{__version__} (webhooks)",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(msg_id, timestamp, body, secrets),
    }


class WebhookSender:
    """POSTs signed bodies. `allow_private` (webhooks.allow_private, tests only) lets it reach loopback
    receivers over plain http, as avatars.pictures_allow_private does for pictures."""

    def __init__(self, *, timeout: float, allow_private: bool = False) -> None:
        self.timeout = timeout
        self.allow_private = allow_private

    async def send(
        self, url: str, *, msg_id: str, timestamp: int, body: bytes, secrets: tuple[str, ...]
    ) -> Sent:
        """One attempt; never raises for what the receiver or the network did (it is in `Sent.error`)."""
        headers = signed_headers(msg_id, timestamp, body, secrets)
        started = time.perf_counter()

        def took() -> int:
            return int((time.perf_counter() - started) * 1000)

        transport = PublicOnlyTransport(allow_private=self.allow_private)
        try:
            async with httpx2.AsyncClient(
                timeout=self.timeout, follow_redirects=False, transport=transport, trust_env=False
            ) as client:
                response = await client.post(url, content=body, headers=headers)
                await response.aclose()
        except RejoinderError as exc:  # the guard refused the address
            return Sent(status_code=None, duration_ms=took(), error=f"{exc.code}: {exc.detail}")
        except httpx2.TimeoutException:
            return Sent(
                status_code=None, duration_ms=took(), error=f"timeout: no answer within {self.timeout:g} s"
            )
        except (httpx2.HTTPError, OSError, ValueError) as exc:
            return Sent(status_code=None, duration_ms=took(), error=f"{type(exc).__name__}: {exc}"[:500])
        status = response.status_code
        if 200 <= status < 300:
            return Sent(status_code=status, duration_ms=took(), error=None)
        if 300 <= status < 400:
            error = f"answered {status}: redirects are not followed (give the final URL)"
        else:
            error = f"answered {status}"
        return Sent(status_code=status, duration_ms=took(), error=error)
