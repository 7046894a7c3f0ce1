"""The moderators' email in the server's language (`server.language`), against the loopback SMTP server:
words, labels lined up, the reason the comment is held, and links that still work."""

from __future__ import annotations

from rejoinder.moderation.rules import Role
from tests.fixtures.admin import Sink, email_settings, open_admin
from tests.web.admin.test_email import links_of, notify


def test_the_moderators_email_speaks_the_servers_language(admin_db: str, smtp_sink: Sink) -> None:
    admin = open_admin(
        admin_db,
        email=email_settings(smtp_sink),
        moderation={"premoderation": "all"},
        admin={"email": "root@example.org"},
        server={"public_url": "http://rejoinder.test", "language": "de"},
    )
    with admin.client:
        mod = admin.identity("mod", name="Mo", email="mod@example.org")
        admin.grant(mod, Role.MODERATOR, "blog")
        notify(admin, smtp_sink)
        admin.post_comment("Bitte prüfen", name="Hal")
        assert notify(admin, smtp_sink) == 2
        message = smtp_sink.wait_for(2)[0]
        assert message["Subject"].startswith("[blog] Ein Kommentar zu „")
        assert message["Subject"].endswith("“ wartet auf Freigabe")
        body = message.get_content().replace("\r\n", "\n")
        assert body.startswith("Ein Kommentar auf blog wartet auf die Moderation.\n")
        assert "Zurückgehalten: Kommentare werden hier geprüft, bevor sie erscheinen.\n" in body
        assert f"{'Autor:':<16}Hal (Gast)\n" in body  # labels padded past the longest, "Zurückgehalten:"
        assert "> Bitte prüfen" in body and "Alle wartenden Kommentare auf blog:" in body
        assert "waits for a moderator" not in body and "Approve:" not in body
        assert set(links_of(message)) == {"approve", "reject"}  # the same links, whatever the words
