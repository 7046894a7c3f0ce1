"""`rejoinder user`: the admin account's password hash, and roles given from the command line."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner

from rejoinder.cli import main
from rejoinder.services import admin_auth
from tests.fixtures.admin import HTML, Admin, open_admin
from tests.fixtures.app import run_cli


def cli(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, env={"REJOINDER_DATABASE__URL": db_url})
    return result.exit_code, result.output


def test_set_password_prints_a_config_block(admin_db: str) -> None:
    code, output = cli(
        admin_db, "user", "set-password", "--username", "chief", "--stdin", stdin="a fine passphrase\n"
    )
    assert code == 0, output
    values = tomllib.loads(output)["admin"]
    assert values["username"] == "chief"
    assert admin_auth.verify_password(values["password_hash"], "a fine passphrase")
    assert "a fine passphrase" not in output
    admin = open_admin(admin_db, admin=values)
    with admin.client:
        assert admin.login("chief", "a fine passphrase").status_code == 303


def test_set_password_prompts_twice_and_refuses_short_ones(admin_db: str) -> None:
    code, output = cli(admin_db, "user", "set-password", stdin="long enough pass\nlong enough pass\n")
    assert code == 0 and 'username = "admin"' in output
    code, output = cli(admin_db, "user", "set-password", "--stdin", stdin="short\n")
    assert code != 0 and "at least 10" in output


def test_roles_from_the_command_line(admin: Admin) -> None:
    identity = admin.identity("cli-mod", name="Cleo", email="cleo@example.org")
    db_url = admin.ctx.settings.database.url
    code, output = cli(db_url, "user", "role", "cleo@example.org", "moderator", "--site", "blog")
    assert code == 0 and "Cleo now has the moderator role on site blog" in output, output
    # `--` ends the options: a generated identity id may start with "-" (token_urlsafe), which click would
    # otherwise read as an option.
    code, output = cli(db_url, "user", "role", "--site", "blog", "--", identity, "moderator")
    assert code == 0 and "already has" in output
    listing = run_cli(db_url, "user", "list")
    assert f"{identity}\tmoderator\tblog\tCleo\tcleo@example.org" in listing
    assert "root\tadmin\t*" not in listing  # the CLI's own settings have no admin account here
    admin.session_for(identity)
    assert admin.client.get("/admin/queue/pending", headers=HTML).status_code == 200
    entries = [e for e in admin.log() if e["target_id"] == identity]
    assert entries[0]["actor"] == "cli" and entries[0]["action"] == "grant"
    code, output = cli(db_url, "user", "role", "--site", "blog", "--revoke", "--", identity, "moderator")
    assert code == 0 and "no longer has" in output
    # The role taken away ended the sign-in made with it: back to the sign-in page.
    ended = admin.client.get("/admin/queue/pending", headers=HTML, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/admin/login")
    code, output = cli(db_url, "user", "role", "nobody@example.org", "admin")
    assert code != 0 and "sign in once first" in output
    code, output = cli(db_url, "user", "role", "--site", "nope", "--", identity, "admin")
    assert code != 0 and "no site named" in output
