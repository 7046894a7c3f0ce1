"""`rejoinder user`: the admin account's password hash, and roles given from the command line."""

from __future__ import annotations

import tomllib
from pathlib import Path

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


def test_set_password_edits_the_config_file_init_wrote(admin_db: str, tmp_path: Path) -> None:
    """One config file throughout: `init` writes it, `set-password` fills its [admin] keys in place (no
    second [admin] table), keeping the comments and mode 600; running it again replaces the hash."""
    path = tmp_path / "rejoinder.toml"
    assert cli(admin_db, "init", "--path", str(path))[0] == 0
    before = path.read_text()
    code, output = cli(
        admin_db,
        "-c",
        str(path),
        "user",
        "set-password",
        "--username",
        "chief",
        "--stdin",
        stdin="a fine passphrase\n",
    )
    assert code == 0, output
    assert output == f"set admin.username and admin.password_hash in {path}; restart rejoinder to use them\n"
    assert "a fine passphrase" not in path.read_text()
    text = path.read_text()
    assert text.count("[admin]") == 1
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments == [line for line in text.splitlines() if line.startswith("#")]
    admin = tomllib.loads(text)["admin"]
    assert admin["username"] == "chief"
    assert admin_auth.verify_password(admin["password_hash"], "a fine passphrase")
    assert tomllib.loads(text)["security"] == tomllib.loads(before)["security"]  # the rest untouched
    code, _ = cli(admin_db, "-c", str(path), "user", "set-password", "--stdin", stdin="another passphrase\n")
    assert code == 0
    again = tomllib.loads(path.read_text())["admin"]
    assert again["username"] == "chief"  # the configured name is kept
    assert admin_auth.verify_password(again["password_hash"], "another passphrase")
    assert path.read_text().count("password_hash =") == 1


def test_set_password_adds_an_admin_table_where_there_is_none(admin_db: str, tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    path.write_text("[server]\nport = 8081  # kept\n", encoding="utf-8")
    code, output = cli(
        admin_db, "-c", str(path), "user", "set-password", "--stdin", stdin="long enough pass\n"
    )
    assert code == 0, output
    parsed = tomllib.loads(path.read_text())
    assert parsed["server"] == {"port": 8081}
    assert parsed["admin"]["username"] == "admin"
    assert "port = 8081  # kept" in path.read_text()


def test_set_password_print_leaves_the_file_alone(admin_db: str, tmp_path: Path) -> None:
    path = tmp_path / "rejoinder.toml"
    assert cli(admin_db, "init", "--path", str(path))[0] == 0
    before = path.read_text()
    code, output = cli(
        admin_db, "-c", str(path), "user", "set-password", "--print", "--stdin", stdin="long enough pass\n"
    )
    assert code == 0
    assert tomllib.loads(output)["admin"]["username"] == "admin"
    assert path.read_text() == before
