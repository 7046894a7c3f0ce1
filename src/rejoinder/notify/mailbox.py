"""A mailbox in a directory: the Mailer that writes each message to a file instead of sending it, and the
reading of those files back. `rejoinder demo` uses it (`email.mailbox`), so that its sign-in emails arrive
on the demo's mailbox page (/demo/mailbox) on a machine with no mail server. One JSON file per message,
written whole under a temporary name and then renamed, so a reader never sees half a message; the newest
`KEEP` are kept."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import msgspec

from rejoinder.notify.email import Mail, one_line

KEEP = 200  # messages kept; older ones are deleted as new ones arrive


class StoredMail(msgspec.Struct, frozen=True):
    """A message as the mailbox keeps it: who it was for, its subject and text, when (Unix seconds)."""

    to: str
    subject: str
    text: str
    at: float
    id: str = ""


class MailboxMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, mail: Mail) -> None:
        """Never refuses: every address "accepts" (the mailbox shows them all)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        at = time.time()
        name = f"{int(at * 1_000_000):020d}-{secrets.token_hex(4)}"
        stored = StoredMail(one_line(mail.to), one_line(mail.subject), mail.text, at, name)
        part = self.folder / f".{name}.part"
        part.write_bytes(msgspec.json.encode(stored))
        os.replace(part, self.folder / f"{name}.json")
        for old in sorted(self.folder.glob("*.json"))[:-KEEP]:
            old.unlink(missing_ok=True)

    async def close(self) -> None:
        """Nothing is kept open between messages."""


def read_mailbox(folder: Path, limit: int = 50) -> list[StoredMail]:
    """The newest `limit` messages, newest first; files that are not messages are skipped."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        try:
            found.append(msgspec.json.decode(path.read_bytes(), type=StoredMail))
        except (OSError, msgspec.DecodeError):
            continue
    return found
