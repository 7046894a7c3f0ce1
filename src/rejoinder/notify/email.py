"""Email through the SMTP server of [email] (aiosmtplib): plain text, with an HTML alternative and extra
headers when a Mail carries them (notifications: services/subscriptions.py). Used by the moderation emails
(services/admin_mail.py) too; anything that needs to send mail takes a `Mailer` and gets an SmtpMailer.

    mailer = SmtpMailer.from_settings(settings.email)
    await mailer.send(Mail(to="mod@example.org", subject="…", text="…"))
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Protocol

import msgspec

from rejoinder.config import EmailSettings
from rejoinder.errors import AddressRejected, ConfigError, Unavailable

if TYPE_CHECKING:
    import aiosmtplib


class Mail(msgspec.Struct, frozen=True):
    to: str
    subject: str
    text: str
    # Set when the same message may be sent again (an outbox retry): the Message-ID is made from it, so
    # that a repeated message is recognisably the same one.
    message_key: str | None = None
    html: str | None = None  # an HTML alternative of `text` (multipart/alternative)
    # More header fields (List-Unsubscribe…); each value is made one line, as Subject is.
    headers: tuple[tuple[str, str], ...] = ()


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Send one message. Raises AddressRejected when the server refuses the recipient for good (5xx),
        Unavailable when it refuses the message otherwise or cannot be reached."""
        ...

    async def close(self) -> None:
        """Let go of what is kept between messages (an open connection); called at shut-down."""
        ...


# Header fields the mailer sets itself; a Mail's `headers` may not replace them.
_OWN_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "auto-submitted", "content-type"})
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,60}")


def one_line(text: str, limit: int = 200) -> str:
    """A header value: control characters (CR and LF above all) become spaces, then it is cut."""
    cleaned = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)
    return " ".join(cleaned.split())[:limit]


class SmtpMailer:
    """Sends each message over one kept connection while messages follow each other within
    `email.keep_alive` seconds (a batch, a digest run, a retry round), so that a burst of emails costs one
    connection, one TLS handshake and one login instead of one per message. Messages are sent one at a
    time over it; a connection the server has closed meanwhile is reopened once, transparently."""

    def __init__(
        self,
        settings: EmailSettings,
        password: str | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.password = password
        self._monotonic = monotonic
        self._client: aiosmtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the kept connection belongs to
        self.connections = 0  # connections opened so far (shown by the mail benchmark)

    @classmethod
    def from_settings(cls, settings: EmailSettings, env: Mapping[str, str] | None = None) -> SmtpMailer:
        """Raises ConfigError naming the setting when the password's variable is not set."""
        env = os.environ if env is None else env
        password = None
        if settings.password_env:
            password = env.get(settings.password_env)
            if not password:
                raise ConfigError(
                    f"email.password_env: environment variable {settings.password_env} is not set"
                )
        return cls(settings, password)

    def message(self, mail: Mail) -> EmailMessage:
        s = self.settings
        msg = EmailMessage()
        msg["From"] = one_line(s.sender)
        msg["To"] = one_line(mail.to)
        msg["Subject"] = one_line(mail.subject)
        msg["Date"] = formatdate(localtime=False)
        domain = s.sender.rpartition("@")[2] or "rejoinder.invalid"
        if mail.message_key:
            digest = hashlib.sha256(mail.message_key.encode("utf-8")).hexdigest()[:32]
            msg["Message-ID"] = f"<{digest}@{one_line(domain, 100)}>"
        else:
            msg["Message-ID"] = make_msgid(domain=domain)
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
        for name, value in mail.headers:
            if name.lower() in _OWN_HEADERS or not _FIELD_NAME.fullmatch(name):
                raise ValueError(f"header field {name!r} may not be set this way")
            msg[name] = one_line(value, 2000)
        msg.set_content(mail.text)
        if mail.html is not None:
            msg.add_alternative(mail.html, subtype="html")
        return msg

    async def check(self) -> None:
        """Connect, greet (EHLO), log in if configured and say goodbye, sending nothing (`rejoinder provider test`).
        Raises Unavailable (smtp-failed) naming the server and the error class only."""
        import aiosmtplib

        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, use_tls=s.tls, start_tls=s.starttls, timeout=s.timeout
        )
        try:
            await client.connect()
            if client.last_ehlo_response is None:  # STARTTLS already greeted it; otherwise greet it here
                await client.ehlo()
            if s.username:
                await client.login(s.username, self.password or "")
            await client.quit()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise Unavailable(
                f"The mail server {s.host}:{s.port} did not answer as expected ({type(exc).__name__})",
                code="smtp-failed",
            ) from None

    def _client_for(self) -> aiosmtplib.SMTP:
        import aiosmtplib

        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username or None,
            password=self.password if s.username else None,
            use_tls=s.tls,
            start_tls=s.starttls,  # False: never, even when offered
            timeout=s.timeout,
        )

    async def _connection(self) -> tuple[aiosmtplib.SMTP, bool]:
        """The kept connection while it is fresh, else a new one; True when it was kept."""
        client = self._client
        if client is not None:
            idle = self._monotonic() - self._last_used
            if client.is_connected and idle <= self.settings.keep_alive:
                return client, True
            await self._drop()
        client = self._client_for()
        await client.connect()
        self.connections += 1
        self._client = client
        return client, False

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.is_connected:
                await client.quit()
        except Exception:  # a goodbye the server no longer hears is fine
            client.close()

    async def close(self) -> None:
        if self._lock is None or self._loop is not asyncio.get_running_loop():
            return
        async with self._lock:
            await self._drop()

    async def send(self, mail: Mail) -> None:
        import aiosmtplib

        s = self.settings
        message = self.message(mail)
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a connection (and lock) of another loop is of no use on this one
            self._client, self._lock, self._loop = None, asyncio.Lock(), loop
        assert self._lock is not None
        async with self._lock:
            try:
                for attempt in (1, 2):
                    client, kept = await self._connection()
                    try:
                        await client.send_message(message)
                        break
                    except aiosmtplib.SMTPServerDisconnected:
                        # A kept connection the server closed while idle: open a new one, once.
                        await self._drop()
                        if not kept or attempt == 2:
                            raise
            except aiosmtplib.SMTPRecipientsRefused as exc:
                self._last_used = self._monotonic()  # the connection is still good (reset by aiosmtplib)
                codes = [r.code for r in exc.recipients]
                if codes and all(500 <= code < 600 for code in codes):
                    answer = one_line(exc.recipients[0].message, 300)
                    raise AddressRejected(
                        f"The mail server {s.host}:{s.port} refused the address: {codes[0]} {answer}"
                    ) from None
                raise Unavailable(
                    f"The mail server {s.host}:{s.port} did not take the message (SMTPRecipientsRefused)",
                    code="smtp-failed",
                ) from None
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._drop()
                raise Unavailable(
                    f"The mail server {s.host}:{s.port} did not take the message ({type(exc).__name__})",
                    code="smtp-failed",
                ) from None
            if s.keep_alive:
                self._last_used = self._monotonic()
            else:
                await self._drop()
