"""The demo's mailbox (notify/mailbox.py): messages written as files, read back newest first, old ones
dropped; and an email provider accepted with `email.mailbox` instead of an SMTP host."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from rejoinder import config
from rejoinder.errors import ConfigError
from rejoinder.notify import mailbox
from rejoinder.notify.email import Mail
from rejoinder.notify.mailbox import MailboxMailer, read_mailbox
from rejoinder.runtime import build_mailer


def test_messages_come_back_newest_first(tmp_path: Path) -> None:
    mailer = MailboxMailer(tmp_path / "box")

    async def go() -> None:
        await mailer.send(Mail(to="a@example.org", subject="First", text="Open https://x.example/1"))
        await mailer.send(Mail(to="b@example.org\r\nBcc: evil@example.org", subject="Second", text="Two"))

    asyncio.run(go())
    found = read_mailbox(tmp_path / "box")
    assert [(m.to, m.subject, m.text) for m in found] == [
        ("b@example.org Bcc: evil@example.org", "Second", "Two"),  # one line, as a header would be
        ("a@example.org", "First", "Open https://x.example/1"),
    ]
    assert sorted(p.name for p in (tmp_path / "box").iterdir() if p.name.startswith(".")) == []
    (tmp_path / "box" / "zzz.json").write_text("not a message")
    assert len(read_mailbox(tmp_path / "box")) == 2  # a stray file is skipped
    assert read_mailbox(tmp_path / "missing") == []


def test_only_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mailbox, "KEEP", 3)
    mailer = MailboxMailer(tmp_path)

    async def go() -> None:
        for n in range(5):
            await mailer.send(Mail(to="a@example.org", subject=f"n{n}", text=""))

    asyncio.run(go())
    assert [m.subject for m in read_mailbox(tmp_path)] == ["n4", "n3", "n2"]
    assert len(list(tmp_path.glob("*.json"))) == 3


def test_an_email_provider_may_use_the_mailbox_instead_of_smtp(tmp_path: Path) -> None:
    provider = {"auth": {"providers": {"email": {"preset": "email"}}}}
    public = {"server": {"public_url": "http://localhost:8080"}}
    with pytest.raises(ConfigError, match=r"email\.host"):
        config.load(env={}, overrides={**provider, **public})
    settings = config.load(env={}, overrides={**provider, **public, "email": {"mailbox": str(tmp_path)}})
    assert isinstance(build_mailer(settings), MailboxMailer)
