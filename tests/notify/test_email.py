"""SmtpMailer against a real SMTP server on loopback (aiosmtpd): messages that follow each other within
`email.keep_alive` share one connection; an idle, cut or refused connection is handled without losing a
message; `keep_alive = 0` opens one connection per message; close() says goodbye."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from rejoinder.config import EmailSettings
from rejoinder.errors import AddressRejected
from rejoinder.notify.email import Mail, SmtpMailer
from tests.fixtures.admin import Sink, email_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def mailer_for(sink: Sink, clock: Callable[[], float] | None = None, **extra: Any) -> SmtpMailer:
    settings = EmailSettings(**{**email_settings(sink), **extra})
    if clock is None:
        return SmtpMailer(settings, None)
    return SmtpMailer(settings, None, monotonic=clock)


def mail(n: int, to: str = "reader@example.org") -> Mail:
    return Mail(to=to, subject=f"Reply {n}", text=f"Someone answered ({n}).")


def sessions(sink: Sink) -> list[str]:
    return [m["X-Smtp-Session"] for m in sink.messages]


def test_a_burst_of_messages_shares_one_connection(smtp_sink: Sink) -> None:
    mailer = mailer_for(smtp_sink)

    async def run() -> None:
        for n in range(5):
            await mailer.send(mail(n))
        await mailer.close()

    asyncio.run(run())
    messages = smtp_sink.wait_for(5)
    assert [m["Subject"] for m in messages] == [f"Reply {n}" for n in range(5)]
    assert len(set(sessions(smtp_sink))) == 1
    assert mailer.connections == 1


def test_concurrent_senders_take_turns_on_the_connection(smtp_sink: Sink) -> None:
    mailer = mailer_for(smtp_sink)

    async def run() -> None:
        await asyncio.gather(*(mailer.send(mail(n)) for n in range(8)))
        await mailer.close()

    asyncio.run(run())
    messages = smtp_sink.wait_for(8)
    assert sorted(m["Subject"] for m in messages) == sorted(f"Reply {n}" for n in range(8))
    assert mailer.connections == 1


def test_keep_alive_zero_opens_a_connection_per_message(smtp_sink: Sink) -> None:
    mailer = mailer_for(smtp_sink, keep_alive=0)

    async def run() -> None:
        for n in range(3):
            await mailer.send(mail(n))

    asyncio.run(run())
    smtp_sink.wait_for(3)
    assert len(set(sessions(smtp_sink))) == 3
    assert mailer.connections == 3


def test_a_connection_idle_longer_than_keep_alive_is_replaced(smtp_sink: Sink) -> None:
    clock = Clock()
    mailer = mailer_for(smtp_sink, clock, keep_alive=30)

    async def run() -> None:
        await mailer.send(mail(1))
        clock.now += 30  # still fresh at exactly the limit
        await mailer.send(mail(2))
        clock.now += 31
        await mailer.send(mail(3))
        await mailer.close()

    asyncio.run(run())
    smtp_sink.wait_for(3)
    first, second, third = sessions(smtp_sink)
    assert first == second != third
    assert mailer.connections == 2


def test_a_connection_the_server_cut_is_reopened_without_losing_the_message(smtp_sink: Sink) -> None:
    mailer = mailer_for(smtp_sink)

    async def run() -> None:
        await mailer.send(mail(1))
        await asyncio.to_thread(smtp_sink.restart)  # the kept connection is now dead
        await mailer.send(mail(2))
        await mailer.close()

    asyncio.run(run())
    messages = smtp_sink.wait_for(2)
    assert [m["Subject"] for m in messages] == ["Reply 1", "Reply 2"]
    assert mailer.connections == 2


def test_a_refused_address_keeps_the_connection_for_the_next_message(smtp_sink: Sink) -> None:
    smtp_sink.refused.add("gone@example.org")
    mailer = mailer_for(smtp_sink)

    async def run() -> None:
        await mailer.send(mail(1))
        with pytest.raises(AddressRejected) as refused:
            await mailer.send(mail(2, to="gone@example.org"))
        assert "550" in str(refused.value)
        assert "no such mailbox" in str(refused.value)
        await mailer.send(mail(3))
        await mailer.close()

    asyncio.run(run())
    messages = smtp_sink.wait_for(2)
    assert [m["Subject"] for m in messages] == ["Reply 1", "Reply 3"]
    assert len(set(sessions(smtp_sink))) == 1
    assert mailer.connections == 1


def test_a_mailer_closed_on_one_event_loop_sends_on_the_next(smtp_sink: Sink) -> None:
    """The CLI runs one loop per command step: a mailer closed on one loop works on the next."""
    mailer = mailer_for(smtp_sink)

    async def send_and_close(n: int) -> None:
        await mailer.send(mail(n))
        await mailer.close()

    asyncio.run(send_and_close(1))
    asyncio.run(send_and_close(2))
    smtp_sink.wait_for(2)
    assert len(set(sessions(smtp_sink))) == 2
    assert mailer.connections == 2


def test_close_without_a_connection_does_nothing(smtp_sink: Sink) -> None:
    mailer = mailer_for(smtp_sink)

    async def run() -> None:
        await mailer.close()
        await mailer.send(mail(1))
        await mailer.close()
        await mailer.close()

    asyncio.run(run())
    assert [m["Subject"] for m in smtp_sink.wait_for(1)] == ["Reply 1"]
